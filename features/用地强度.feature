# language: zh-CN
@用地强度
功能: 用地强度（投资强度、容积率）
  示范东区的控制值取自北海铁山港 2023GC07007 地块出让条件：投资强度不低于 250 万元/亩，容积率不低于 0.7。

  背景:
    假如 以示范方案为基础

  @INT-INVESTMENT-INTENSITY
  场景大纲: 投资强度以园区控制值为准
    假如 申报的 固定资产投资（万元） 为 <固定资产投资>
    当 筛查该申报
    那么 规则 INT-INVESTMENT-INTENSITY 的结果为 <结果>

    例子:
      | 固定资产投资 | 结果 |
      | 15,000       | 符合 |
      | 14,999.99    | 违反 |

  @INT-INVESTMENT-INTENSITY
  场景: 投资强度不足时说明所需投资
    假如 申报的 固定资产投资（万元） 为 12,000
    当 筛查该申报
    那么 结论为 需修改
    并且 规则 INT-INVESTMENT-INTENSITY 的说明包含 15,000 万元

  @INT-PLOT-RATIO
  场景: 2008年控制指标施行期间按国家容积率（行业39为0.7）
    假如 园区为 longchang-neirong
    并且 筛查日期为 2020-06-01
    并且 申报的 总建筑面积（平方米） 为 27,000
    当 筛查该申报
    那么 规则 INT-PLOT-RATIO 的结果为 违反

  # —— 每条否决项、须修改项规则：一个违反的场景、一个符合（或不适用）的场景 ——

  @INT-INVESTMENT-INTENSITY
  场景: 投资强度3500低于园区下限3750
    假如 项目的固定资产投资（万元）为 14,000
    当 进行入区审查
    那么 规则“INT-INVESTMENT-INTENSITY”的结果应为“违反”
    并且 规则“INT-INVESTMENT-INTENSITY”的情形应为“below_minimum”

  @INT-INVESTMENT-INTENSITY
  场景: 投资强度4500高于园区下限3750
    当 进行入区审查
    那么 规则“INT-INVESTMENT-INTENSITY”的结果应为“符合”

  @INT-PLOT-RATIO
  场景: 容积率0.6低于园区下限0.7
    假如 项目的总建筑面积（平方米）为 24,000
    当 进行入区审查
    那么 规则“INT-PLOT-RATIO”的结果应为“违反”
    并且 规则“INT-PLOT-RATIO”的情形应为“below_minimum”

  @INT-PLOT-RATIO
  场景: 容积率1.2高于园区下限0.7
    当 进行入区审查
    那么 规则“INT-PLOT-RATIO”的结果应为“符合”

  @INT-PLOT-RATIO-MAX
  场景: 容积率2.0超过园区上限1.8
    假如 项目的总建筑面积（平方米）为 80,000
    当 进行入区审查
    那么 规则“INT-PLOT-RATIO-MAX”的结果应为“违反”
    并且 规则“INT-PLOT-RATIO-MAX”的情形应为“above_maximum”

  @INT-PLOT-RATIO-MAX
  场景: 容积率1.2不超过园区上限1.8
    当 进行入区审查
    那么 规则“INT-PLOT-RATIO-MAX”的结果应为“符合”

  @INT-BUILDING-COEFFICIENT
  场景: 建筑系数30%低于园区下限35%
    假如 项目的建筑物构筑物基底占地面积（平方米）为 12,000
    当 进行入区审查
    那么 规则“INT-BUILDING-COEFFICIENT”的结果应为“违反”
    并且 规则“INT-BUILDING-COEFFICIENT”的情形应为“below_minimum”

  @INT-BUILDING-COEFFICIENT
  场景: 建筑系数55%高于园区下限35%
    当 进行入区审查
    那么 规则“INT-BUILDING-COEFFICIENT”的结果应为“符合”

  @INT-OFFICE-SHARE
  场景: 办公生活用地8%超过7%
    假如 项目的行政办公及生活服务设施用地面积（平方米）为 3200
    当 进行入区审查
    那么 规则“INT-OFFICE-SHARE”的结果应为“违反”
    并且 规则“INT-OFFICE-SHARE”的情形应为“above_maximum”

  @INT-OFFICE-SHARE
  场景: 办公生活用地6%不超过7%
    当 进行入区审查
    那么 规则“INT-OFFICE-SHARE”的结果应为“符合”

  @INT-OFFICE-FLOOR-SHARE
  场景: 办公建筑面积占比20%超过15%
    假如 项目的行政办公及生活服务设施建筑面积（平方米）为 9600
    当 进行入区审查
    那么 规则“INT-OFFICE-FLOOR-SHARE”的结果应为“违反”
    并且 规则“INT-OFFICE-FLOOR-SHARE”的情形应为“above_maximum”

  @INT-OFFICE-FLOOR-SHARE
  场景: 办公建筑面积占比10%不超过15%
    当 进行入区审查
    那么 规则“INT-OFFICE-FLOOR-SHARE”的结果应为“符合”

  @INT-GREEN-RATIO
  场景: 绿地率25%超过20%
    假如 项目的绿地面积（平方米）为 10,000
    当 进行入区审查
    那么 规则“INT-GREEN-RATIO”的结果应为“违反”
    并且 规则“INT-GREEN-RATIO”的情形应为“above_maximum”

  @INT-GREEN-RATIO
  场景: 绿地率15%不超过20%
    当 进行入区审查
    那么 规则“INT-GREEN-RATIO”的结果应为“符合”

  @INT-OUTPUT-PER-LAND
  场景: 地均产值5000低于园区下限6000
    假如 项目的达产年产值（万元）为 20,000
    当 进行入区审查
    那么 规则“INT-OUTPUT-PER-LAND”的结果应为“违反”
    并且 规则“INT-OUTPUT-PER-LAND”的情形应为“below_minimum”

  @INT-OUTPUT-PER-LAND
  场景: 地均产值7500高于园区下限6000
    当 进行入区审查
    那么 规则“INT-OUTPUT-PER-LAND”的结果应为“符合”

  @INT-TAX-PER-LAND
  场景: 地均税收250低于园区下限300
    假如 项目的达产年税收（万元）为 1000
    当 进行入区审查
    那么 规则“INT-TAX-PER-LAND”的结果应为“违反”
    并且 规则“INT-TAX-PER-LAND”的情形应为“below_minimum”

  @INT-TAX-PER-LAND
  场景: 地均税收375高于园区下限300
    当 进行入区审查
    那么 规则“INT-TAX-PER-LAND”的结果应为“符合”

  @INT-RD-RATIO
  场景: 研发投入1.5%低于装备类下限2%
    假如 项目的研发投入占比为 0.015
    当 进行入区审查
    那么 规则“INT-RD-RATIO”的结果应为“违反”
    并且 规则“INT-RD-RATIO”的情形应为“below_minimum”

  @INT-RD-RATIO
  场景: 研发投入3%高于装备类下限2%
    当 进行入区审查
    那么 规则“INT-RD-RATIO”的结果应为“符合”

  # —— 规则包修订（issue 8）新增或改动的条款 ——

  @INT-BUILDING-COEFFICIENT @INT-OFFICE-SHARE
  场景: 园区未设2023年版约束性指标时不得判为通过
    假如 园区为 longchang-neirong
    并且 申报的 土地等别 为 4
    并且 申报的 建筑物构筑物基底占地面积（平方米） 为 4000
    并且 申报的 行政办公及生活服务设施用地面积（平方米） 为 8000
    当 筛查该申报
    那么 结论为 需人工核查
    并且 规则 INT-BUILDING-COEFFICIENT 的结果为 无法判断
    并且 规则 INT-OFFICE-SHARE 的结果为 无法判断
