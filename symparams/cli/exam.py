"""``symparams exam``: versions of a spec's questions in a format a course uses."""

from __future__ import annotations

import sys

from ..core.errors import SymparamsError
from .options import write_file


def run_exam(args) -> int:
    from .. import exam

    if args.jobs is not None and args.jobs < 1:
        raise SymparamsError(f"--jobs {args.jobs}: give at least 1 process, or leave --jobs out "
                             "for one for each CPU")
    from ..exam.shipped import spec_lines, spec_path
    if getattr(args, "list", False):
        print("\n".join(spec_lines()))
        return 0
    if not args.spec:
        raise SymparamsError("give a spec: a TOML file, or a shipped spec's name such as cnn "
                             "(symparams exam --list names them)")
    spec = exam.Spec.from_toml(spec_path(args.spec))
    variants, report = exam.draw(spec, args.variants, seed=args.seed)
    if args.report:
        for line in report.lines():
            print(line, file=sys.stderr)
    if args.format == "latex" and not args.key and (not args.output or args.output == "-"):
        # the key is a second document: said, so that it is never silently missing
        args.warnings.append("symparams: the answer key is a second document: add --key for it here, or -o NAME "
                             "to write NAME-exam.tex and NAME-key.tex")
    if args.format == "latex" and args.output and args.output != "-" and not args.key:
        # NAME-exam.tex, never NAME.tex: symparams derive -o NAME.tex writes that one
        base = args.output[:-4] if args.output.endswith(".tex") else args.output
        for path, key in ((f"{base}-exam.tex", False), (f"{base}-key.tex", True)):
            write_file(args, path, exam.write(spec, variants, "latex", key=key, templates=args.templates,
                                         jobs=args.jobs))
        return 0
    text = exam.write(spec, variants, args.format, key=args.key, templates=args.templates, seed=args.seed,
                      jobs=args.jobs)
    if isinstance(text, bytes):
        if not args.output or args.output == "-":
            raise SymparamsError("a QTI package is a zip file: give it a name with -o, such as -o quiz.zip")
        write_file(args, args.output, text)
        return 0
    if args.output and args.output != "-":
        write_file(args, args.output, text)
    else:
        sys.stdout.write(text)
    return 0
