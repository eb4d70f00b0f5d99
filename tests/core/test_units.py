"""Readable units: bytes under their binary (IEC) names, and counts past 10¹⁵ in scientific
form in text, exact in JSON (symparams/core/units.py and every place that prints them)."""

from __future__ import annotations

import json
import re

from symparams.cli import main
from symparams.core.units import readable_bytes, readable_count, readable_size, scaled


def test_binary_units_have_binary_names():
    # the powers of 1,024, from a byte to an exbibyte
    assert [scaled(1024 ** k)[1] for k in range(7)] == ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    assert readable_size(1536) == "1.50 KiB"
    assert readable_size(1023) == "1023.00 B"
    assert readable_bytes(7994, 4) == "31.23 KiB"


def test_past_exbibytes_a_whole_number_of_them():
    assert readable_size(3 * 1024 ** 7) == "3,072 EiB"
    assert readable_size(1024 ** 6 * 10 ** 16) == "1.000 × 10¹⁶ EiB"


def test_counts_past_10_to_the_15_read_in_scientific_form():
    assert readable_count(10 ** 15 - 1) == "999,999,999,999,999"
    assert readable_count(10 ** 15) == "1.000 × 10¹⁵"
    assert readable_count(-7_087_872 * 10 ** 12) == "-7.088 × 10¹⁸"
    assert readable_count(123_456, " ") == "123 456"
    assert readable_count(3 * 10 ** 403) == "3.000 × 10⁴⁰³"        # past what a float holds
    assert readable_size(3 * 10 ** 403) == "2.602 × 10³⁸⁵ EiB"


GPT2 = "examples/configs/gpt2.json"


def _huge(tmp_path):
    data = json.loads(open(GPT2, encoding="utf-8").read())
    data["n_layer"] = 10 ** 12
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    return path


def test_a_thousand_billion_layers_read_readably(tmp_path, capsys):
    """The issue's third fault: "809,533,440,001,048,592,384 bytes (736266374.59 TB)"."""
    path = _huge(tmp_path)
    assert main(["summary", str(path)]) == 0
    out = capsys.readouterr()[0]
    memory = next(line for line in out.splitlines() if line.startswith("Parameter memory"))
    assert re.fullmatch(r"Parameter memory at float32: \d\.\d{3} × 10[¹²³⁴⁵⁶⁷⁸⁹⁰]+ bytes "
                        r"\(\d+\.\d\d EiB\)", memory), memory
    assert re.search(r"Total params: \d\.\d{3} × 10[¹²³⁴⁵⁶⁷⁸⁹⁰]+\n", out)
    assert not re.search(r"\d{1,3}(,\d{3}){5,}", out), "a count of 16 digits or more printed in full"


def test_json_keeps_the_count_exact(tmp_path, capsys):
    path = _huge(tmp_path)
    assert main(["summary", str(path), "--format", "json"]) == 0
    total = json.loads(capsys.readouterr()[0])["total"]
    assert main(["summary", GPT2, "--format", "json"]) == 0
    small = json.loads(capsys.readouterr()[0])["total"]
    # both exact integers: a billion times more blocks than GPT-2's 12 is exactly that many more
    assert isinstance(total, int) and isinstance(small, int) and total > small * 10 ** 10


def test_scale_and_llm_say_memory_in_binary_units(capsys):
    assert main(["scale", GPT2, "--memory"]) == 0
    out = capsys.readouterr()[0]
    assert re.search(r"fp32  [\d,]+  \(\d+\.\d\d MiB\)", out)
    assert main(["llm", GPT2]) == 0
    assert re.search(r"total [\d,]+ \(\d+\.\d\d GiB\)", capsys.readouterr()[0])
    for unit in ("KB", "MB", "GB", "TB"):
        assert f" {unit})" not in out


def test_every_printer_writes_a_large_count_the_same_way():
    """The page's MathML, LaTeX and text agree: the headline of a page said 22 digits where
    its diagram said 7.088 × 10¹⁸."""
    import sympy
    from symparams.render.printers import LatexPrinter, MathMLPrinter, TextPrinter
    n = sympy.Integer(7_087_872 * 10 ** 12)
    assert TextPrinter().doprint(n) == "7.088 × 10¹⁸"
    assert LatexPrinter().doprint(n) == r"7.088 \times 10^{18}"
    assert MathMLPrinter().doprint(n) == "<mn>7.088</mn><mo>×</mo><msup><mn>10</mn><mn>18</mn></msup>"
    assert TextPrinter().doprint(sympy.Integer(10 ** 15 - 1)) == "999,999,999,999,999"
    assert TextPrinter(thousands="").doprint(n) == "7087872000000000000"   # shapes print plain
