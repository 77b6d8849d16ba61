"""Fifteen months of work orders for the demo database, so the hotspots page has seasons and
growth to show."""

from __future__ import annotations

import datetime as dt
import random

from app.extensions import db
from app.models import Complaint, ComplaintImport, Enterprise
from app.platform.regions import ROOT_REGION, region_tree
from app.reference.complaints import Channel, IssueType
from app.reference.enterprise import Domain

# Issue types with the months they peak in (food in summer, heating-season products in winter).
_SEASONAL = {
    IssueType.FOOD_SAFETY: (Domain.FOOD, (6, 7, 8), 5),
    IssueType.PRICE: (Domain.PRICE, (1, 2, 10), 3),
    IssueType.PREPAID: (Domain.OTHER, (3, 4, 9), 3),
    IssueType.ONLINE_SHOPPING: (Domain.ECOM, (11, 12, 6), 4),
    IssueType.PRODUCT_QUALITY: (Domain.PRODUCT_QUALITY, (11, 12, 1), 2),
    IssueType.METROLOGY: (Domain.METROLOGY, (9, 10), 1),
    IssueType.SPECIAL_EQUIP: (Domain.SPECIAL_EQUIP, (12, 1, 2), 1),
    IssueType.FALSE_ADVERTISING: (Domain.AD, (3, 4, 5), 2),
}


def seed_history(today: dt.date, rng: random.Random, count: int = 600) -> int:
    """Work orders over the last fifteen months in every 盟市, some against demo enterprises."""
    tree = region_tree()
    counties = [code for code in tree.names if tree.parents.get(code) not in (None, ROOT_REGION)]
    counties += list(tree.units)
    enterprises = list(db.session.query(Enterprise.id, Enterprise.credit_code, Enterprise.name))
    batch = ComplaintImport(source="演示数据", accepted=count, rejected=0, rejected_rows=[])
    db.session.add(batch)
    db.session.flush()
    issues = list(_SEASONAL)
    weights = [weight for _, _, weight in _SEASONAL.values()]
    rows = []
    for number in range(count):
        issue = rng.choices(issues, weights)[0]
        domain, peak, _ = _SEASONAL[issue]
        received = today - dt.timedelta(days=rng.randrange(455))
        while received.month not in peak and rng.random() < 0.6:  # thinner off season
            received = today - dt.timedelta(days=rng.randrange(455))
        region = rng.choice(counties)
        target = rng.choice(enterprises) if enterprises and rng.random() < 0.15 else None
        rows.append(
            Complaint(
                channel=rng.choice((Channel.MARKET_12315.value, Channel.CITIZEN_12345.value)),
                order_no=f"DEMO{number:06d}",
                received_on=received,
                region_code=region,
                unit_code=tree.unit_of(region),
                domain=domain.value,
                issue_type=issue.value,
                enterprise_name=target[2] if target else None,
                credit_code=target[1] if target else None,
                enterprise_id=target[0] if target else None,
                summary=None,
                import_id=batch.id,
            )
        )
    db.session.add_all(rows)
    return count
