"""Engines are per thread: screening different intakes on many threads at once gives each
its own right answer."""

from concurrent.futures import ThreadPoolExecutor

from hipscreen.screening import engine, screen

INTAKES = [
    {"safety": {}, "age": 30, "movement": {"hip_shift": "left"}},
    {"safety": {}, "age": 30, "movement": {"hip_shift": "right", "single_leg_balance_poor": "right"}},
    {"age": 30, "safety": {"saddle_numbness": True}, "movement": {"hip_shift": "left"}},
    {"safety": {}, "age": 30, "movement": {"hinge_faults": ["back_rounds"]}},
    {"safety": {}, "age": 30, "symptoms": {"worse_with": ["rotation"]},
     "movement": {"hip_ir_limited": "both"}},
    {"age": 30, "safety": {"hip_surgery": "over_12_weeks"}, "movement": {"hip_ir_limited": "left"}},
]


def _summary(result):
    return (result.triage.level, tuple((d.id, d.side, d.certainty) for d in result.deficits),
            tuple((p.drill, p.side) for p in result.plan), tuple(result.rules_fired))


def test_parallel_screens_match_sequential_ones():
    expected = [_summary(screen(i)) for i in INTAKES]
    jobs = INTAKES * 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda i: _summary(screen(i)), jobs))
    assert got == expected * 40


def test_each_thread_has_its_own_engine():
    with ThreadPoolExecutor(max_workers=4) as pool:
        engines = set(pool.map(lambda _: id(engine()), range(4 * 25)))
    assert len(engines) >= 2
    assert engine() is engine()
