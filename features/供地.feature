# language: zh-CN
@供地
功能: 供地（出让金、招拍挂、最低价）
  依据国办发〔2014〕54号第（十八）项、国发〔2006〕31号、国土资发〔2006〕307号。

  背景:
    假如 以示范方案为基础

  @LAND-FEE-RELIEF
  场景: 返还土地出让金的项目被否决
    假如 申报的 出让金减免返还 为 返还
    当 筛查该申报
    那么 结论为 否决
    并且 规则 LAND-FEE-RELIEF 的结果为 违反

  @LAND-GRANT-METHOD
  场景: 新增工业用地协议出让被否决
    假如 申报的 供地方式 为 协议出让
    当 筛查该申报
    那么 规则 LAND-GRANT-METHOD 的结果为 违反

  @LAND-PRICE-FLOOR
  场景大纲: 四等地工业用地出让最低价 480 元/平方米（不属70%例外情形）
    假如 申报的 是否农林牧渔产品初加工 为 否
    并且 申报的 是否省级优先发展产业 为 否
    并且 申报的 出让价格（元/平方米） 为 <价格>
    当 筛查该申报
    那么 规则 LAND-PRICE-FLOOR 的结果为 <结果>

    例子:
      | 价格   | 结果 |
      | 480    | 符合 |
      | 479.99 | 违反 |
      | 600    | 符合 |

  @LAND-PRICE-FLOOR
  场景: 价格介于最低价70%与最低价之间且未说明例外情形时需补充材料
    假如 申报的 出让价格（元/平方米） 为 400
    当 筛查该申报
    那么 结论为 需补充材料
    并且 规则 LAND-PRICE-FLOOR 需补充 是否农林牧渔产品初加工

  @LAND-PRICE-FLOOR
  场景: 农林牧渔产品初加工项目可按最低价的70%出让
    假如 申报的 是否农林牧渔产品初加工 为 是
    并且 申报的 出让价格（元/平方米） 为 336
    当 筛查该申报
    那么 规则 LAND-PRICE-FLOOR 的结果为 符合

  @LAND-PRICE-FLOOR
  场景: 未核实最低价的土地等别不核查
    假如 申报的 土地等别 为 5
    当 筛查该申报
    那么 规则 LAND-PRICE-FLOOR 的结果为 无法判断
    并且 规则 LAND-PRICE-FLOOR 的说明包含 未核查

  # —— 每条否决项、须修改项规则：一个违反的场景、一个符合（或不适用）的场景 ——

  @LAND-FEE-RELIEF
  场景: 减征出让金一票否决
    假如 项目的出让金减免返还为 减征
    当 进行入区审查
    那么 规则“LAND-FEE-RELIEF”的结果应为“违反”
    并且 规则“LAND-FEE-RELIEF”的情形应为“fee_relief_granted”

  @LAND-FEE-RELIEF
  场景: 出让金无减免返还
    当 进行入区审查
    那么 规则“LAND-FEE-RELIEF”的结果应为“符合”

  @LAND-GRANT-METHOD
  场景: 新增工业用地协议出让一票否决
    假如 项目的供地方式为 协议出让
    当 进行入区审查
    那么 规则“LAND-GRANT-METHOD”的结果应为“违反”
    并且 规则“LAND-GRANT-METHOD”的情形应为“not_competitive_grant”

  @LAND-GRANT-METHOD
  场景: 新增用地招标出让
    假如 项目的供地方式为 招标
    当 进行入区审查
    那么 规则“LAND-GRANT-METHOD”的结果应为“符合”

  @LAND-PRICE-FLOOR
  场景: 价格400低于最低价且无例外情形
    假如 项目的出让价格（元/平方米）为 400
    并且 项目的是否农林牧渔产品初加工为 否
    并且 项目的是否省级优先发展产业为 否
    当 进行入区审查
    那么 规则“LAND-PRICE-FLOOR”的结果应为“违反”
    并且 规则“LAND-PRICE-FLOOR”的情形应为“below_floor_without_exception”

  @LAND-PRICE-FLOOR
  场景: 存量用地无出让价可审
    假如 项目的是否新增供地为 否
    当 进行入区审查
    那么 规则“LAND-PRICE-FLOOR”的结果应为“不适用”

  @LAND-APPROVAL-AUTHORITY
  场景: 开发区管理机构批准征收
    假如 项目的是否涉及农用地转用为 是
    并且 项目的征收土地面积（平方米）为 100,000
    并且 项目的征收耕地面积（平方米）为 50,000
    并且 项目的是否占用永久基本农田为 否
    并且 项目的农用地转用及征收批准机关为 开发区管理机构
    当 进行入区审查
    那么 规则“LAND-APPROVAL-AUTHORITY”的结果应为“违反”
    并且 规则“LAND-APPROVAL-AUTHORITY”的情形应为“approved_by_zone”

  @LAND-APPROVAL-AUTHORITY
  场景: 省级批准征收耕地5公顷
    假如 项目的是否涉及农用地转用为 是
    并且 项目的征收土地面积（平方米）为 100,000
    并且 项目的征收耕地面积（平方米）为 50,000
    并且 项目的是否占用永久基本农田为 否
    并且 项目的农用地转用及征收批准机关为 省级人民政府
    当 进行入区审查
    那么 规则“LAND-APPROVAL-AUTHORITY”的结果应为“符合”

  @LAND-PLAN-CONFORMITY
  场景: 不符合土地利用总体规划一票否决
    假如 项目的是否符合土地利用总体规划为 否
    当 进行入区审查
    那么 规则“LAND-PLAN-CONFORMITY”的结果应为“违反”
    并且 规则“LAND-PLAN-CONFORMITY”的情形应为“master_plan_conflict”

  @LAND-PLAN-CONFORMITY
  场景: 两项规划均符合
    当 进行入区审查
    那么 规则“LAND-PLAN-CONFORMITY”的结果应为“符合”

  @LAND-NON-PRODUCTION
  场景: 拟建宾馆须修改方案
    假如 项目的非生产性配套设施为 宾馆
    当 进行入区审查
    那么 规则“LAND-NON-PRODUCTION”的结果应为“违反”
    并且 规则“LAND-NON-PRODUCTION”的情形应为“prohibited_facilities”

  @LAND-NON-PRODUCTION
  场景: 无非生产性设施
    当 进行入区审查
    那么 规则“LAND-NON-PRODUCTION”的结果应为“符合”

  # —— 规则包修订（issue 8）新增或改动的条款 ——

  @LAND-PRICE-FLOOR
  场景: 本包无最低价的土地等别不得判为通过
    假如 申报的 土地等别 为 9
    并且 申报的 出让价格（元/平方米） 为 100
    并且 申报的 land.land_cost_yuan_per_m2 为 50
    当 筛查该申报
    那么 结论为 需人工核查
    并且 规则 LAND-PRICE-FLOOR 的结果为 无法判断

  @LAND-COST-FLOOR
  场景: 出让价格低于土地成本一票否决
    假如 申报的 土地取得成本、前期开发成本和相关费用之和（元/平方米） 为 600
    当 筛查该申报
    那么 结论为 否决
    并且 规则 LAND-COST-FLOOR 的结果为 违反
    并且 规则 LAND-COST-FLOOR 的情形为 below_cost

  @LAND-COST-FLOOR
  场景: 出让价格恰好等于土地成本
    假如 申报的 土地取得成本、前期开发成本和相关费用之和（元/平方米） 为 520
    当 筛查该申报
    那么 规则 LAND-COST-FLOOR 的结果为 符合

  @LAND-UNUSED-PRICE-FLOOR
  场景: 城镇建设用地范围内的未利用地低于等别最低价须人工核查
    假如 申报的 是否使用国有未利用地 为 是
    并且 申报的 land.within_urban_construction_land 为 是
    并且 申报的 出让价格（元/平方米） 为 240
    当 筛查该申报
    那么 结论为 需人工核查
    并且 规则 LAND-UNUSED-PRICE-FLOOR 的结果为 无法判断

  @LAND-UNUSED-PRICE-FLOOR
  场景: 未利用地价格不低于等别最低价
    假如 申报的 是否使用国有未利用地 为 是
    并且 申报的 land.within_urban_construction_land 为 是
    当 筛查该申报
    那么 规则 LAND-UNUSED-PRICE-FLOOR 的结果为 符合

  @LAND-UNUSED-PRICE-FLOOR
  场景: 不使用未利用地的项目不适用
    当 筛查该申报
    那么 规则 LAND-UNUSED-PRICE-FLOOR 的结果为 不适用
