"""The test runner's counting: the closing 'N passed, N failed, N skipped'
line must count a skipped test as a skip, never as a pass, whatever runner
reported it (cmocka, unittest, pytest through its JUnit XML)."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import run_tests  # noqa: E402


class UnittestCounts(unittest.TestCase):
    def test_ok(self):
        out = "....\n----\nRan 4 tests in 0.1s\n\nOK\n"
        self.assertEqual(run_tests.count_unittest(out), (4, 0, 0))

    def test_ok_with_skips(self):
        out = "..s.\nRan 4 tests in 0.1s\n\nOK (skipped=1)\n"
        self.assertEqual(run_tests.count_unittest(out), (3, 0, 1))

    def test_skips_inside_a_failed_line_are_skips(self):
        # 6 ran: 1 failure, 1 error, 2 skipped -> 2 passed, not 4.
        out = "F.Ess.\nRan 6 tests in 0.2s\n\nFAILED (failures=1, errors=1, skipped=2)\n"
        self.assertEqual(run_tests.count_unittest(out), (2, 2, 2))

    def test_expected_failures_are_not_passes(self):
        out = "x..\nRan 3 tests in 0.1s\n\nOK (expected failures=1)\n"
        self.assertEqual(run_tests.count_unittest(out), (2, 0, 1))

    def test_unexpected_success_fails(self):
        out = "u..\nRan 3 tests in 0.1s\n\nFAILED (unexpected successes=1)\n"
        self.assertEqual(run_tests.count_unittest(out), (2, 1, 0))


class CmockaCounts(unittest.TestCase):
    def test_passed_failed_skipped(self):
        out = ("[==========] 5 test(s) run.\n[  PASSED  ] 3 test(s).\n"
               "[  SKIPPED ] 1 test(s), listed below:\n[  SKIPPED ] t4\n"
               "[  FAILED  ] 1 test(s), listed below:\n[  FAILED  ] t5\n")
        self.assertEqual(run_tests.count_cmocka(out), (3, 1, 1))


@unittest.skipIf(run_tests.pytest_python() is None, "pytest is not installed")
class PytestCounts(unittest.TestCase):
    """A real pytest run over a small suite (tests that pass, fail, error in
    set-up or tear-down, skip, and subtests that skip and fail), read back
    from its JUnit XML as the runner does."""

    def test_counts_from_junit(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "suite"))
            with open(os.path.join(d, "suite", "test_mix.py"), "w") as f:
                f.write(textwrap.dedent("""\
                    import unittest

                    class Mix(unittest.TestCase):
                        def test_pass(self):
                            pass
                        def test_fail(self):
                            self.assertEqual(1, 2)
                        @unittest.skip("not here")
                        def test_skip(self):
                            pass

                    class BadSetUp(unittest.TestCase):
                        def setUp(self):
                            raise RuntimeError("no fixture")
                        def test_x(self):
                            pass

                    class BadTearDown(unittest.TestCase):
                        def tearDown(self):
                            raise RuntimeError("no clean-up")
                        def test_y(self):
                            pass

                    class Subtests(unittest.TestCase):
                        def test_skip_then_fail(self):  # the failure is not hidden
                            for i in range(3):
                                with self.subTest(i=i):
                                    if i == 0:
                                        self.skipTest("known")
                                    self.assertNotEqual(i, 2)
                        def test_only_skips(self):
                            for i in range(2):
                                with self.subTest(i=i):
                                    self.skipTest("known")
                        def test_all_pass(self):
                            for i in range(2):
                                with self.subTest(i=i):
                                    pass
                    """))
            xml = os.path.join(d, "out.xml")
            # tests/conftest.py (unittest's subTest semantics), as a plugin.
            env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
            proc = subprocess.run([run_tests.pytest_python(), "-m", "pytest", "-p",
                                   "no:cacheprovider", "-p", "conftest", "--rootdir", d, "-q",
                                   f"--junitxml={xml}", os.path.join(d, "suite")],
                                  cwd=d, capture_output=True, text=True, env=env)
            self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
            suites, times = run_tests.count_junit(xml)
        # passed: test_pass, test_all_pass; failed: test_fail, test_x (set-up),
        # test_y (tear-down), test_skip_then_fail; skipped: test_skip, test_only_skips
        self.assertEqual(suites["suite"][:3], [2, 4, 2], suites)
        self.assertEqual(len(times), 8)


if __name__ == "__main__":
    unittest.main()
