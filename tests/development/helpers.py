"""Walk a record through the steps (tests only)."""

from __future__ import annotations

import datetime as dt

from zugong.development import services

D = dt.date

PLAN = {  # step → (date, extra kwargs)
    2: (D(2023, 2, 5), {"done_by": "王书记"}),
    3: (D(2023, 3, 1), {}),
    4: (D(2023, 3, 10), {}),
    5: (D(2023, 3, 15), {}),
    6: (D(2023, 9, 1), {}),
    7: (D(2024, 3, 5), {}),
    8: (D(2024, 3, 10), {}),
    9: (D(2024, 3, 15), {}),
    10: (D(2024, 4, 1), {}),
    11: (D(2024, 4, 10), {"training_days": 3}),
    12: (D(2024, 5, 1), {}),
    13: (D(2024, 5, 10), {}),
    14: (D(2024, 5, 20), {}),
    15: (D(2024, 6, 1), {"votes_present": 4, "votes_in_favour": 4}),
    16: (D(2024, 6, 10), {}),
    17: (D(2024, 7, 15), {}),
    18: (D(2024, 7, 20), {}),
    19: (D(2024, 7, 25), {}),
    20: (D(2024, 8, 1), {}),
    21: (D(2025, 1, 10), {}),
    22: (D(2025, 5, 20), {}),
    23: (D(2025, 6, 1), {"votes_present": 4, "votes_in_favour": 4, "outcome": "on_time"}),
    24: (D(2025, 6, 20), {}),
    25: (D(2025, 7, 1), {}),
}


APPLIED = D(2023, 1, 10)


def start(dev, application=APPLIED):
    return services.development_start(actor=dev.actor, person=dev.person, organization=dev.t.branch_a1,
                                      application_date=application, today=dev.today)


def walk(dev, record, until: int, *, start_at: int = 2):
    """Record steps ``start_at``..``until`` of ``PLAN`` (mentors before 5, sponsors before 9)."""
    for number in range(start_at, until + 1):
        day, extra = PLAN[number]
        if number == 5:
            services.mentors_assign(actor=dev.actor, record=record, persons=[dev.t.member_a1_1], start_date=day,
                                    today=dev.today)
        if number == 9:
            services.sponsors_assign(actor=dev.actor, record=record, persons=dev.full[:2], start_date=day,
                                     today=dev.today)
        services.step_record(actor=dev.actor, record=record, step=number, date=day, today=dev.today, **extra)
    record.refresh_from_db()
    return record
