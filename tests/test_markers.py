"""The plugin's markers: skips with a reason, and collection errors that name the test.

Each pytester run costs about half a second, so one run checks several tests of a kind.
"""

import torch

from torchref import TORCH

DOC = '"""A fact."""'


def test_markers_skip_with_a_reason_naming_what_is_missing(reference_pytester):
    reference_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.torch_version(">=99")
        def test_future():
            {DOC}

        @pytest.mark.torch_version(">=2.0")
        def test_now():
            {DOC}

        @pytest.mark.cuda
        def test_gpu():
            {DOC}

        @pytest.mark.multi_gpu
        def test_gpus():
            {DOC}
        """
    )

    result = reference_pytester.runpytest("-rs")

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    result.assert_outcomes(passed=1 + (gpus >= 1) + (gpus >= 2), skipped=1 + (gpus < 1) + (gpus < 2))
    result.stdout.fnmatch_lines([f"*needs torch>=99, have {TORCH}*"])
    if gpus < 1:
        result.stdout.fnmatch_lines(["*needs a CUDA device*"])
    if gpus < 2:
        result.stdout.fnmatch_lines([f"*needs 2 CUDA devices, have {gpus}*"])


def test_bad_markers_stop_collection_and_name_each_test(reference_pytester):
    reference_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.torch_version("two point six")
        def test_typo():
            {DOC}

        @pytest.mark.claim("S9-999", verdict="true")
        def test_unknown():
            {DOC}

        @pytest.mark.claim("S0-010", verdict="maybe")
        def test_unsure():
            {DOC}

        @pytest.mark.claim("S0-010")
        def test_no_verdict():
            {DOC}

        @pytest.mark.figure("no_such_function")
        def test_no_figure():
            {DOC}
        """
    )

    result = reference_pytester.runpytest()

    assert result.ret == 4
    result.stderr.fnmatch_lines(
        [
            "*bad torchref marker:",
            "*test_no_figure: figure 'no_such_function' is not a function of *",
            '*test_no_verdict: write @pytest.mark.claim("S2-017", verdict="false")',
            "*test_typo: 'two point six' is not a PEP 440 specifier*",
            "*test_unknown: unknown claim id 'S9-999'*",
            "*test_unsure: unknown verdict 'maybe' for S0-010 (use one of true, false, outdated)",
        ]
    )


def test_misspelt_marker_is_a_collection_error(reference_pytester):
    reference_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.cdua
        def test_gpu():
            {DOC}
        """
    )

    result = reference_pytester.runpytest()

    assert result.ret == 2
    result.stdout.fnmatch_lines(["*'cdua' not found in `markers` configuration option*"])


def test_state_guard_fails_a_test_that_leaks_global_state_and_restores_it(reference_pytester):
    reference_pytester.makepyfile(
        f"""
        import torch

        def test_leaky():
            {DOC}
            torch.set_default_dtype(torch.float64)
            torch.set_grad_enabled(False)

        def test_next():
            {DOC}
            assert torch.get_default_dtype() == torch.float32
            assert torch.is_grad_enabled()
        """
    )

    result = reference_pytester.runpytest()

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*the test changed torch's global state: default dtype: torch.float32 -> torch.float64; grad mode: True -> False"]
    )


def test_any_project_gets_the_markers_and_skips_that_name_each_test(pytester):
    """Outside the reference: strict, no markers declared, no torchref settings."""
    pytester.makepyprojecttoml("[tool.pytest]\nstrict = true\n")
    pytester.makepyfile(
        test_outside=f"""
        import pytest
        import torch
        from torchref import by_version

        @pytest.mark.torch_version(">=2.0")
        def test_now():
            {DOC}
            assert by_version({{"<2.0": 1, ">=2.0": 2}}) == 2

        @pytest.mark.torch_version("<2.0")
        def test_past():
            {DOC}

        def test_leaky_is_fine_here():
            {DOC}
            torch.set_num_threads(torch.get_num_threads())
            torch.set_default_dtype(torch.float64)
            torch.set_default_dtype(torch.float32)
        """
    )

    result = pytester.runpytest("-ra")

    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED [1] test_outside.py:10: needs torch<2.0, have {TORCH}"])


def test_reference_checks_are_off_unless_the_project_asks_for_them(pytester):
    pytester.makepyprojecttoml("[tool.pytest]\nstrict = true\n")
    pytester.makepyfile(
        f"""
        import pytest
        import torch

        @pytest.mark.claim("S9-999", verdict="true")
        def test_leaks_and_names_an_unknown_claim():
            {DOC}
            torch.set_grad_enabled(False)

        def test_after():
            {DOC}
            torch.set_grad_enabled(True)
        """
    )

    # In file order: the second test puts back what the first leaked, in this same process.
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_shows_marker_must_name_module_functions(reference_pytester):
    reference_pytester.makepyfile(
        f"""
        import pytest

        def helper():
            return 1

        @pytest.mark.shows("helper")
        def test_good():
            {DOC}

        @pytest.mark.shows("missing")
        def test_bad():
            {DOC}
        """
    )

    result = reference_pytester.runpytest()

    assert result.ret == 4
    result.stderr.fnmatch_lines(["*test_bad: shows 'missing' is not a function of *"])
