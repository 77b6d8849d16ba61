"""The sample file the work-order import page offers: a 呼和浩特 12315/12345 export in the
columns the import reads, with a few deliberately bad rows so the import report shows what it
checks, dated relative to today."""

from __future__ import annotations

import csv
import datetime as dt
import io

HEADER = (
    "工单编号",
    "来源",
    "受理日期",
    "地区",
    "领域",
    "问题类型",
    "经营主体",
    "统一社会信用代码",
    "诉求内容",
)

# (channel, region, domain, issue type, enterprise, complaint) — as a 12315 export writes them;
# six food orders, enough for a level-1 risk of 呼和浩特 food on the risk list
SAMPLE = (
    ("12315", "呼和浩特市新城区", "食品", "食品安全", "新城区鲜味烧烤店", "食材疑似变质"),
    ("12315", "150102", "FOOD", "过期食品", "新城区鲜味烧烤店", "售卖过期饮料"),
    ("12345", "呼和浩特市新城区", "食品", "食品安全", "新城区鲜味烧烤店", "后厨卫生差"),
    ("12315", "呼和浩特市玉泉区", "食品", "过期食品", "玉泉区某便利店", "货架上有过期面包"),
    ("12345", "呼和浩特市回民区", "食品", "食品安全", "回民区某快餐店", "员工无健康证"),
    ("12315", "呼和浩特市赛罕区", "价格", "价格欺诈", "赛罕区某商场", "标价与结算价不一致"),
    ("12315", "呼和浩特市玉泉区", "计量", "缺斤短两", "玉泉区某农贸市场摊位", "电子秤作弊"),
    ("12345", "呼和浩特市回民区", "网络交易", "网购", "回民区某网店", "七日无理由退货被拒"),
    ("12315", "呼和浩特市赛罕区", "特种设备", "电梯", "赛罕区某小区物业", "电梯频繁困人"),
    ("12315", "呼和浩特市新城区", "广告", "虚假宣传", "新城区某保健品店", "宣称保健品可治病"),
    ("12315", "土默特左旗", "产品质量", "质量问题", "土左旗某建材店", "瓷砖开裂"),
    ("12345", "呼和浩特市赛罕区", "其他", "办卡退费", "赛罕区某健身房", "预付卡闭店无法退费"),
    ("12315", "呼和浩特市赛罕区", "食品", "食品安全", "赛罕区某奶茶店", "奶茶中有异物"),
    ("12315", "呼和浩特市", "价格", "乱收费", "某停车场", "停车收费超标"),
)
# one reason each, so the report shows what the import checks (None: a date before today)
BAD_ROWS = (
    ("GD-BAD-1", "12315", "2026-02-30", "呼和浩特市新城区", "食品", "食品安全", "日期不存在"),
    ("GD-BAD-2", "12315", None, "北京市朝阳区", "食品", "食品安全", "不在内蒙古"),
    ("GD-BAD-3", "12399", None, "呼和浩特市新城区", "食品", "食品安全", "来源不对"),
    ("GD-BAD-4", "12315", None, "呼和浩特市新城区", "食品", "心情不好", "问题类型不在清单"),
    ("GD-BAD-5", "12315", None, "包头市", "食品", "食品安全", "不在呼和浩特辖区"),
)


def sample_csv(today: dt.date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for number, (channel, region, domain, issue, name, text) in enumerate(SAMPLE, start=1):
        received = (today - dt.timedelta(days=number * 4)).isoformat()
        code = f"GD{today:%Y%m%d}{number:04d}"
        writer.writerow((code, channel, received, region, domain, issue, name, "", text))
    for order_no, channel, date, region, domain, issue, text in BAD_ROWS:
        received = date or (today - dt.timedelta(days=3)).isoformat()
        writer.writerow((order_no, channel, received, region, domain, issue, "某店", "", text))
    return out.getvalue()
