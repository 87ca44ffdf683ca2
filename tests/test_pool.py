"""The worker pool (core/pool.py): every job answered once, by a worker or the caller; a dead worker is said."""

import zlib

import pytest

from core import pool

JOBS = [bytes([i]) * (3000 + 997 * i) for i in range(9)]  # answers of different sizes


def test_workers_alone_answer_every_job_once():
    answers = dict(pool.run("zlib:compress", JOBS, 2))
    assert sorted(answers) == list(range(len(JOBS)))
    assert all(zlib.decompress(answers[i]) == job for i, job in enumerate(JOBS))


def test_the_caller_builds_from_the_back_while_a_worker_starts():
    built_here = []

    def here(job: bytes) -> bytes:
        built_here.append(JOBS.index(job))
        return zlib.compress(job)

    answers = list(pool.run("zlib:compress", JOBS, 1, local=here))
    assert sorted(i for i, _ in answers) == list(range(len(JOBS)))
    assert all(zlib.decompress(answer) == JOBS[i] for i, answer in answers)
    assert built_here and built_here == sorted(built_here, reverse=True) and built_here[0] == len(JOBS) - 1
    assert len(built_here) < len(JOBS)  # the worker took the front


def test_a_worker_that_cannot_do_the_work_is_a_failure_the_caller_can_catch():
    with pytest.raises(pool.FAILURES):
        list(pool.run("core.pool:no_such_function", JOBS, 1))


def test_claims_meet_in_the_middle_without_overlap():
    claims = pool._Claims(5)
    taken = [claims.front(), claims.back(), claims.front(), claims.back(), claims.front(), claims.back(),
             claims.front()]
    assert taken == [0, 4, 1, 3, 2, None, None]
