# language: zh-CN
@产业
功能: 产业政策（产业结构调整指导目录2024年本、外商投资负面清单）

  背景:
    假如 以示范方案为基础

  @IND-RESTRICTED
  场景: 新建限制类项目被否决
    假如 申报的 产业结构调整指导目录类别 为 限制类
    当 筛查该申报
    那么 结论为 否决
    并且 规则 IND-RESTRICTED 的结果为 违反

  @IND-RESTRICTED
  场景: 有限制类条目的行业未分类时须由审查人员认定
    假如 申报的 行业代码（GB/T 4754-2017） 为 2022
    并且 申报中没有 产业结构调整指导目录类别
    当 筛查该申报
    那么 结论为 需补充材料
    并且 规则 IND-RESTRICTED 需补充 产业结构调整指导目录类别
    并且 规则 IND-RESTRICTED 的说明包含 审查人员须对照指导目录

  场景: 未分类的制造业项目不推定为允许类（炼焦）
    假如 申报的 行业代码（GB/T 4754-2017） 为 2521
    并且 申报中没有 产业结构调整指导目录类别
    当 筛查该申报
    那么 结论为 需补充材料
    并且 规则 IND-ELIMINATED 需补充 产业结构调整指导目录类别

  场景: 扩建限制类项目被否决
    假如 申报的 产业结构调整指导目录类别 为 限制类
    并且 申报的 项目类型 为 扩建
    当 筛查该申报
    那么 结论为 否决
    并且 规则 IND-RESTRICTED 的情形为 restricted_new_or_expansion

  场景: 尚未备案的项目附条件通过而非否决
    假如 申报的 项目核准或备案情况 为 未办理核准或备案
    当 筛查该申报
    那么 结论为 附条件通过
    并且 规则 IND-APPROVAL-FILING 的情形为 not_yet_approved_or_filed

  场景: 示例方案各得其结论
    假如 以示例 rejected-particleboard 为基础
    当 筛查该申报
    那么 结论为 否决

  # —— 每条否决项、须修改项规则：一个违反的场景、一个符合（或不适用）的场景 ——

  @IND-ELIMINATED
  场景: 认定为淘汰类（燃煤小锅炉）
    假如 项目的产业结构调整指导目录类别为 淘汰类
    并且 项目的指导目录条目为 每小时10蒸吨及以下燃煤锅炉
    当 进行入区审查
    那么 规则“IND-ELIMINATED”的结果应为“违反”
    并且 规则“IND-ELIMINATED”的情形应为“eliminated”

  @IND-ELIMINATED
  场景: 审查认定为允许类
    假如 项目的产业结构调整指导目录类别为 允许类
    当 进行入区审查
    那么 规则“IND-ELIMINATED”的结果应为“符合”

  @IND-RESTRICTED
  场景: 新建小规模松香项目属限制类
    假如 项目的行业代码（GB/T 4754-2017）为 2663
    并且 项目的产业结构调整指导目录类别为 限制类
    并且 项目的指导目录条目为 1000吨/年以下的松香生产项目
    当 进行入区审查
    那么 规则“IND-RESTRICTED”的结果应为“违反”
    并且 规则“IND-RESTRICTED”的情形应为“restricted_new_or_expansion”

  @IND-RESTRICTED
  场景: 新建鼓励类项目
    假如 项目的产业结构调整指导目录类别为 鼓励类
    当 进行入区审查
    那么 规则“IND-RESTRICTED”的结果应为“符合”

  @IND-ENERGY-BENCHMARK
  场景: 新建项目仅达到基准水平
    假如 项目的能效水平为 达到基准水平（未达标杆）
    当 进行入区审查
    那么 规则“IND-ENERGY-BENCHMARK”的结果应为“违反”
    并且 规则“IND-ENERGY-BENCHMARK”的情形应为“below_benchmark”

  @IND-ENERGY-BENCHMARK
  场景: 扩建项目仅达基准水平不适用
    假如 项目的项目类型为 扩建
    并且 项目的能效水平为 达到基准水平（未达标杆）
    当 进行入区审查
    那么 规则“IND-ENERGY-BENCHMARK”的结果应为“不适用”

  @IND-FOREIGN-NEGATIVE-LIST
  场景: 外资投资新闻机构属禁止领域
    假如 项目的投资方来源为 外国投资者
    并且 项目的行业代码（GB/T 4754-2017）为 8610
    并且 项目的外商投资负面清单认定为 禁止投资领域
    当 进行入区审查
    那么 规则“IND-FOREIGN-NEGATIVE-LIST”的结果应为“违反”
    并且 规则“IND-FOREIGN-NEGATIVE-LIST”的情形应为“prohibited_field”

  @IND-FOREIGN-NEGATIVE-LIST
  场景: 境内投资者即使填了禁止领域也不适用
    假如 项目的外商投资负面清单认定为 禁止投资领域
    当 进行入区审查
    那么 规则“IND-FOREIGN-NEGATIVE-LIST”的结果应为“不适用”
