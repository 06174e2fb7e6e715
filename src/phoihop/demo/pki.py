"""The demo's certificate authority and one signing certificate per agency head.

Loading the demo (`phoihop demo`, or `phoihop setup` on an empty database) calls
`demo_pki`, which writes into a directory (by default `<PHOIHOP_VAR_DIR>/demo-pki/`):

* `ca.pem`: the demo CA's root certificate, also registered as a `TrustedRoot`, so the
  app trusts the signatures it issues; import it into a PDF reader (or an NSS database
  for poppler's `pdfsig`) to verify the signed PDF outside the app;
* `<username>.p12`: the PKCS#12 file (key, certificate, chain) of each party's head,
  with the password `demo-<username>` (public, like the demo password).

The certificates carry the head's full name (CN), their agency's head title (T) and the
agency's name (O), which is what signing checks. They are valid from 01/01/2011, so the
demo's 2011 regulation is signed with the date of the conference, for ten years from
now. The CA's private key is not kept: the demo issues nothing after loading.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction

from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record
from phoihop.core.policy import SYSTEM
from phoihop.regulations.models import TrustedRoot
from phoihop.regulations.signing import create_demo_ca, issue_certificate

CA_NAME = "CA trình diễn phoihop"
CA_ORGANIZATION = "Ban Cơ yếu (trình diễn)"
VALID_FROM = dt.datetime(2011, 1, 1, tzinfo=dt.UTC)
CA_VALID_FROM = dt.datetime(2008, 1, 1, tzinfo=dt.UTC)
YEARS_AHEAD = 10


def default_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-pki"


def demo_password(username: str) -> str:
    """The password of a head's demo PKCS#12 file."""
    return f"demo-{username}"


@transaction.atomic
def demo_pki(var_dir: Path | str | None = None) -> dict[str, Path]:
    """Create the demo CA and a PKCS#12 per head of a domestic agency that has one.

    Writes `ca.pem` and `<username>.p12` into `var_dir` and registers the CA as a
    trusted root (replacing the root of an earlier run, by name). Returns the files
    written: {"ca": path, username: path, …}.
    """
    directory = Path(var_dir) if var_dir is not None else default_dir()
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    until = now + dt.timedelta(days=365 * YEARS_AHEAD)
    ca = create_demo_ca(
        CA_NAME, CA_ORGANIZATION, valid_from=CA_VALID_FROM, valid_to=until + dt.timedelta(days=1)
    )
    pem = ca.certificate_pem()
    written = {"ca": directory / "ca.pem"}
    written["ca"].write_bytes(pem)
    TrustedRoot.objects.filter(name=CA_NAME).delete()
    root = TrustedRoot.objects.create(name=CA_NAME, certificate_pem=pem.decode())
    audit_record(
        actor=SYSTEM,
        action="trustedroot.add",
        obj=root,
        changes={"name": CA_NAME, "fingerprint_sha256": ca.info.fingerprint_sha256},
    )
    heads = Agency.objects.filter(head__isnull=False).select_related("head").order_by("pk")
    for agency in heads:
        user = agency.head
        p12 = issue_certificate(
            ca,
            common_name=user.get_full_name(),
            title=agency.head_title or user.position,
            organization=agency.name,
            email=user.email or None,
            valid_from=VALID_FROM,
            valid_to=until,
            password=demo_password(user.username),
        )
        path = directory / f"{user.username}.p12"
        path.write_bytes(p12)
        path.chmod(0o600)
        written[user.username] = path
    return written


def demo_files(var_dir: Path | str | None = None) -> dict[str, Path]:
    """The files `demo_pki` wrote into `var_dir` (by default `default_dir()`), as it
    returns them: {"ca": path, username: path, …}."""
    directory = Path(var_dir) if var_dir is not None else default_dir()
    written = {"ca": directory / "ca.pem"}
    heads = Agency.objects.filter(head__isnull=False).select_related("head").order_by("pk")
    for agency in heads:
        written[agency.head.username] = directory / f"{agency.head.username}.p12"
    return written


def pki_lines(written: dict[str, Path]) -> list[str]:
    """What the commands print about the files `demo_pki` wrote."""
    lines = [f"Chứng thư số trình diễn (CA gốc: {written['ca']}):"]
    for username, path in written.items():
        if username != "ca":
            lines.append(f"  {username:<14} {path} (mật khẩu: {demo_password(username)})")
    return lines
