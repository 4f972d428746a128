# language: zh-CN
@环保
功能: 环保准入（环保一票否决、环评、三同时、生态红线）
  依据《国家级经济技术开发区经济社会发展“十一五”规划纲要》第80段和《环境影响评价法》第二十五条。

  背景:
    假如 以示范方案为基础

  @ENV-EIA-APPROVAL
  场景: 环评未批先行开工的项目被否决
    假如 申报的 环评审批状态 为 审批中
    并且 申报的 是否已开工建设 为 是
    当 筛查该申报
    那么 结论为 否决
    并且 规则 ENV-EIA-APPROVAL 的结果为 违反
    并且 规则 ENV-EIA-APPROVAL 的情形为 started_without_approval

  @ENV-EIA-APPROVAL
  场景: 环评尚在审批中且未开工的项目附条件通过
    假如 申报的 环评审批状态 为 审批中
    当 筛查该申报
    那么 结论为 附条件通过
    并且 规则 ENV-EIA-APPROVAL 的结果为 违反

  @ENV-DISCHARGE-STANDARDS
  场景: 不能达标排放的项目不得入区
    假如 申报的 是否达标排放 为 否
    当 筛查该申报
    那么 结论为 否决
    并且 规则 ENV-DISCHARGE-STANDARDS 的结果为 违反

  @ENV-RED-LINE
  场景: 未说明是否位于生态保护红线的项目需补充材料
    假如 申报中没有 是否位于生态保护红线内
    当 筛查该申报
    那么 结论为 需补充材料
    并且 规则 ENV-RED-LINE 需补充 是否位于生态保护红线内

  # —— 每条否决项、须修改项规则：一个违反的场景、一个符合（或不适用）的场景 ——

  @ENV-EIA-APPROVAL
  场景: 环评审批中即已开工属未批先建
    假如 项目的环评审批状态为 审批中
    并且 项目的是否已开工建设为 是
    当 进行入区审查
    那么 规则“ENV-EIA-APPROVAL”的结果应为“违反”
    并且 规则“ENV-EIA-APPROVAL”的情形应为“started_without_approval”

  @ENV-EIA-APPROVAL
  场景: 报告书已批准后开工
    假如 项目的环评类别为 环境影响报告书
    并且 项目的是否已开工建设为 是
    当 进行入区审查
    那么 规则“ENV-EIA-APPROVAL”的结果应为“符合”

  @ENV-DISCHARGE-STANDARDS
  场景: 污染物不能达标排放一票否决
    假如 项目的是否达标排放为 否
    当 进行入区审查
    那么 规则“ENV-DISCHARGE-STANDARDS”的结果应为“违反”
    并且 规则“ENV-DISCHARGE-STANDARDS”的情形应为“exceeds_standards”

  @ENV-DISCHARGE-STANDARDS
  场景: 污染物达标排放
    当 进行入区审查
    那么 规则“ENV-DISCHARGE-STANDARDS”的结果应为“符合”

  @ENV-RED-LINE
  场景: 用地位于生态保护红线内一票否决
    假如 项目的是否位于生态保护红线内为 是
    当 进行入区审查
    那么 规则“ENV-RED-LINE”的结果应为“违反”
    并且 规则“ENV-RED-LINE”的情形应为“inside_red_line”

  @ENV-RED-LINE
  场景: 用地在红线以外
    当 进行入区审查
    那么 规则“ENV-RED-LINE”的结果应为“符合”

  @ENV-EMISSION-QUOTA
  场景: 区域超总量仍新增重点污染物一票否决
    假如 项目的是否新增重点污染物排放为 是
    并且 项目的所在区域是否超过重点污染物排放总量控制指标为 是
    当 进行入区审查
    那么 规则“ENV-EMISSION-QUOTA”的结果应为“违反”
    并且 规则“ENV-EMISSION-QUOTA”的情形应为“region_over_quota”

  @ENV-EMISSION-QUOTA
  场景: 新增重点污染物而区域未超总量
    假如 项目的是否新增重点污染物排放为 是
    并且 项目的所在区域是否超过重点污染物排放总量控制指标为 否
    当 进行入区审查
    那么 规则“ENV-EMISSION-QUOTA”的结果应为“符合”

  @ENV-ENERGY-REVIEW
  场景: 审查中即已开工
    假如 项目的节能审查状态为 审查中
    并且 项目的是否已开工建设为 是
    当 进行入区审查
    那么 规则“ENV-ENERGY-REVIEW”的结果应为“违反”
    并且 规则“ENV-ENERGY-REVIEW”的情形应为“started_without_approval”

  @ENV-ENERGY-REVIEW
  场景: 已通过节能审查后开工
    假如 项目的是否已开工建设为 是
    当 进行入区审查
    那么 规则“ENV-ENERGY-REVIEW”的结果应为“符合”

  # —— 规则包修订（issue 8）新增或改动的条款 ——

  @ENV-PARK-SITING
  场景: 新建焦化项目不在经规划环评的合规园区被否决
    假如 申报的 行业代码（GB/T 4754-2017） 为 2521
    并且 申报的 是否位于依法合规设立并经规划环评的产业园区 为 否
    当 筛查该申报
    那么 结论为 否决
    并且 规则 ENV-PARK-SITING 的情形为 outside_lawful_park

  @SAFE-CHEMICAL-PARK
  场景: 危险化学品生产项目须进入化工园区
    假如 申报的 是否生产危险化学品 为 是
    并且 申报的 是否位于经认定的化工园区 为 否
    当 筛查该申报
    那么 结论为 否决
    并且 规则 SAFE-CHEMICAL-PARK 的情形为 outside_chemical_park

  @ENV-PLAN-EIA-CONFORMITY
  场景: 不符合园区规划环评结论的项目被否决
    假如 申报的 是否符合园区规划环评结论及审查意见和生态环境准入清单 为 否
    当 筛查该申报
    那么 结论为 否决
    并且 规则 ENV-PLAN-EIA-CONFORMITY 的结果为 违反

  @ENV-PARK-SITING
  场景: 新建焦化项目不在合规园区的结果为违反
    假如 申报的 行业代码（GB/T 4754-2017） 为 2521
    并且 申报的 是否位于依法合规设立并经规划环评的产业园区 为 否
    当 筛查该申报
    那么 规则 ENV-PARK-SITING 的结果为 违反

  @ENV-PARK-SITING
  场景: 新建化工项目位于经规划环评的合规园区
    假如 申报的 行业代码（GB/T 4754-2017） 为 2614
    并且 申报的 是否位于依法合规设立并经规划环评的产业园区 为 是
    当 筛查该申报
    那么 规则 ENV-PARK-SITING 的结果为 符合

  @ENV-PARK-SITING
  场景: 电机制造不属须入园的行业
    当 筛查该申报
    那么 规则 ENV-PARK-SITING 的结果为 不适用

  @ENV-PLAN-EIA-CONFORMITY
  场景: 符合园区规划环评结论和生态环境准入清单
    当 筛查该申报
    那么 规则 ENV-PLAN-EIA-CONFORMITY 的结果为 符合

  @ENV-PLAN-EIA-CONFORMITY
  场景: 未申报是否符合规划环评结论的需补充材料
    假如 申报中没有 是否符合园区规划环评结论及审查意见和生态环境准入清单
    当 筛查该申报
    那么 结论为 需补充材料
    并且 规则 ENV-PLAN-EIA-CONFORMITY 的结果为 无法判断

  @SAFE-CHEMICAL-PARK
  场景: 危险化学品生产项目不在化工园区的结果为违反
    假如 申报的 是否生产危险化学品 为 是
    并且 申报的 是否位于经认定的化工园区 为 否
    当 筛查该申报
    那么 规则 SAFE-CHEMICAL-PARK 的结果为 违反

  @SAFE-CHEMICAL-PARK
  场景: 危险化学品生产项目位于化工园区
    假如 申报的 是否生产危险化学品 为 是
    并且 申报的 是否位于经认定的化工园区 为 是
    当 筛查该申报
    那么 规则 SAFE-CHEMICAL-PARK 的结果为 符合

  @SAFE-CHEMICAL-PARK
  场景: 不生产危险化学品的项目不适用化工园区要求
    当 筛查该申报
    那么 规则 SAFE-CHEMICAL-PARK 的结果为 不适用
