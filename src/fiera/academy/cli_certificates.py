"""Certificate commands of the ``fiera`` CLI.

fiera cert verify FILE                    verify any OB 3.0 credential (exit 0 valid, 1 not)
fiera cert revoke PUBLIC_ID --reason TEXT revoke one of the academy's certificates
fiera cert issue --cohort SLUG            issue the missing certificates of a cohort
fiera cert key                            print a new signing key for FIERA_ACADEMY_SIGNING_KEY
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("cert", help="academy certificates: verify, revoke, issue")
    csub = p.add_subparsers(dest="cert_command", required=True)
    verify = csub.add_parser(
        "verify",
        help="verify an Open Badges 3.0 credential file (exit 0 valid, 1 not valid, 2 unreadable)",
    )
    verify.add_argument("file", type=Path, help="the credential (.json); - reads standard input")
    verify.set_defaults(func=cmd_verify)
    revoke = csub.add_parser("revoke", help="revoke a certificate (its status list says so)")
    revoke.add_argument("public_id", help="the certificate's id (the end of its page's address)")
    revoke.add_argument("--reason", required=True, help="why (kept with the revocation)")
    revoke.set_defaults(func=cmd_revoke)
    issue = csub.add_parser(
        "issue", help="issue the certificates a cohort's passed learners are missing"
    )
    issue.add_argument("--cohort", required=True, help="the cohort's short name (slug)")
    issue.add_argument("--no-progress", action="store_true", help="no progress bar")
    issue.set_defaults(func=cmd_issue)
    key = csub.add_parser(
        "key", help="print a new random signing key (for FIERA_ACADEMY_SIGNING_KEY) and its did"
    )
    key.set_defaults(func=cmd_key)


def cmd_verify(args: Any) -> int:
    """``fiera cert verify FILE``: "valid" or "invalid: <reason>", then the issuer."""
    from django.utils import timezone

    from fiera.common.runtime import setup_django

    try:
        raw = sys.stdin.buffer.read() if str(args.file) == "-" else args.file.read_bytes()
    except OSError as error:
        sys.stderr.write(f"cannot read {args.file}: {error.strerror or error}\n")
        return 2
    setup_django()
    from fiera.academy.certificates import CredentialTooLarge, credential_verify

    try:
        result = credential_verify(credential=raw, now=timezone.now())
    except CredentialTooLarge as error:
        sys.stdout.write(f"invalid: {error.message()}\n")
        return 1
    if result.valid:
        sys.stdout.write(f"valid: {result.reason_text}\n")
    else:
        sys.stdout.write(f"invalid: {result.reason_text}\n  ({result.detail})\n")
    for note in result.notes:
        sys.stdout.write(f"note: {note}\n")
    sys.stdout.write(
        f"issuer: {result.issuer_name or '-'} ({result.issuer_id or 'no issuer id'})\n"
    )
    ours = "yes" if result.issued_by_this_academy else "no"
    sys.stdout.write(f"issued by this academy: {ours}\n")
    if result.subject_name:
        sys.stdout.write(f"awarded to: {result.subject_name}\n")
    if result.achievement_name:
        sys.stdout.write(f"achievement: {result.achievement_name}\n")
    return 0 if result.valid else 1


def cmd_revoke(args: Any) -> int:
    from django.utils import timezone

    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.academy.certificates import certificate_revoke
    from fiera.accounts.roles import SYSTEM
    from fiera.common.errors import DomainError

    try:
        view = certificate_revoke(
            public_id=args.public_id,
            reason=args.reason,
            now=timezone.now(),
            actor_id=None,
            actor_role=SYSTEM,
        )
    except DomainError as error:
        sys.stderr.write(f"{error.message()} ({error.context})\n")
        return 2
    sys.stdout.write(
        f"revoked {view.public_id} ({view.learner_name}, {view.course_title}): {args.reason}\n"
    )
    return 0


def cmd_issue(args: Any) -> int:
    from django.utils import timezone
    from tqdm import tqdm

    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.academy.certificates import certificates_issue_for_cohort, certificates_missing_count
    from fiera.accounts.roles import SYSTEM
    from fiera.common.errors import DomainError

    total = certificates_missing_count(cohort_slug=args.cohort)
    with tqdm(
        total=total,
        desc="issuing certificates",
        unit=" certificates",
        disable=args.no_progress,
        leave=False,
    ) as bar:

        def advance(count: int) -> None:
            bar.update(count)

        try:
            made, passed = certificates_issue_for_cohort(
                cohort_slug=args.cohort, now=timezone.now(), actor_role=SYSTEM, progress=advance
            )
        except DomainError as error:
            sys.stderr.write(f"{error.message()}\n")
            return 2
    sys.stdout.write(
        f"{made} certificate(s) issued; {passed} learner(s) of {args.cohort} passed in all\n"
    )
    return 0


def cmd_key(args: Any) -> int:
    from fiera.academy.credentials.keys import generate_key_pair

    key = generate_key_pair()
    sys.stdout.write(f"FIERA_ACADEMY_SIGNING_KEY={key.secret_multibase()}\n")
    sys.stdout.write(f"# issuer: {key.did}\n")
    return 0
