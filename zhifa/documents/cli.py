"""``zhifa documents …``: the kinds and their sample contexts, previews rendered to files, and
issuing from a JSON context, as the local administrator (like the rest of the CLI).

Errors (an unknown kind, a context with a missing field, no Chromium) print ``error: …`` and
the problems on stderr and exit 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from zhifa.core.audit import SYSTEM
from zhifa.core.errors import ZhifaError

documents_app = typer.Typer(
    help="Enforcement documents: kinds, previews, issuing (docs/documents.md)", no_args_is_help=True
)

ContextOpt = Annotated[Path, typer.Option("--context", "-c", help="JSON file with the kind's context")]


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _fail(exc: ZhifaError | str) -> NoReturn:
    if isinstance(exc, str):
        typer.echo(f"error: {exc}", err=True)
    else:
        typer.echo(f"error: {exc.message}", err=True)
        for p in exc.details.get("problems", []):
            typer.echo(f"  {p['field']}: {p['reason']}", err=True)
    raise typer.Exit(1)


def _context(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        _fail(f"no such file: {path}")
    except json.JSONDecodeError as exc:
        _fail(f"{path}: not JSON: {exc}")
    if not isinstance(data, dict):
        _fail(f"{path}: the context must be a JSON object")
    return data


@documents_app.command("kinds")
def kinds() -> None:
    """The kinds: code, title, numbering scheme, fields."""
    from zhifa.documents.kinds import KINDS

    _echo_json([k.as_dict() for k in KINDS.values()])


@documents_app.command("sample")
def sample(kind: Annotated[str, typer.Argument(help="kind code, e.g. penalty_decision")]) -> None:
    """Print a kind's sample context (JSON), a starting point for --context files."""
    from zhifa.documents.kinds import get_kind
    from zhifa.documents.samples import sample as sample_of

    try:
        get_kind(kind)
    except ZhifaError as exc:
        _fail(exc)
    _echo_json(sample_of(kind))


@documents_app.command("render")
def render(
    kind: Annotated[str, typer.Argument(help="kind code")],
    context: ContextOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the PDF, DOCX and HTML")] = Path("."),
) -> None:
    """Render a preview with the template in force (number 样稿): takes no number, stores nothing."""
    from zhifa.core.db import session_scope, upgrade
    from zhifa.documents import service

    ctx = _context(context)
    upgrade()
    try:
        with session_scope() as session:
            result = service.preview(session, SYSTEM, kind, ctx)
    except ZhifaError as exc:
        _fail(exc)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in ("pdf", "docx", "html"):
        path = out / f"{kind}.{fmt}"
        data = result[fmt]
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        paths[fmt] = str(path)
    _echo_json({"kind": kind, "template_version": result["template_version"], "files": paths})


@documents_app.command("issue")
def issue(
    kind: Annotated[str, typer.Argument(help="kind code")],
    context: ContextOpt,
    case_ref: Annotated[str | None, typer.Option("--case-ref", help="the case the document belongs to")] = None,
) -> None:
    """Issue a document (numbered if its kind is) and print its metadata."""
    from zhifa.core.db import session_scope, upgrade
    from zhifa.documents import service

    ctx = _context(context)
    upgrade()
    try:
        with session_scope() as session:
            row = service.issue(session, SYSTEM, kind, ctx, case_ref=case_ref)
            result = service.document_dict(row, with_context=False)
    except ZhifaError as exc:
        _fail(exc)
    _echo_json(result)
