"""pytest runs the unittest test cases; this gives them unittest's subTest()
semantics, which pytest 7 lacks: without it, a subTest's skipTest() skips the
whole test and hides a later subtest's failure, and the first failing subtest
ends the test. Here every subtest runs; the test fails when one failed (the
first failure is the one reported), else it is a skip when one skipped."""
import pytest
from _pytest.unittest import TestCaseFunction

_add_skip = TestCaseFunction.addSkip


def _recorded(item):
    return item.__dict__.get("_excinfo") or []


def _is_skip(excinfo):
    return isinstance(excinfo.value, pytest.skip.Exception)


def _add_sub_test(self, test_case, subtest, err):
    if err is None or any(not _is_skip(e) for e in _recorded(self)):
        return
    # The failure replaces any skip: pytest reports one outcome per phase,
    # the first recorded one, and any left over as the next phase's.
    self.__dict__["_excinfo"] = []
    self._addexcinfo(err)


def _add_skip_once(self, testcase, reason):
    if not _recorded(self):  # after a failure, or a second skip: already decided
        _add_skip(self, testcase, reason)


TestCaseFunction.addSubTest = _add_sub_test
TestCaseFunction.addSkip = _add_skip_once
TestCaseFunction.failfast = False  # unittest asks the result after a failing subtest
