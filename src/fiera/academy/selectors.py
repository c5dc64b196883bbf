"""The academy's reads, for other apps (its public module): each feature keeps its selectors
in its own module and re-exports them here."""

from __future__ import annotations

# --- alumni ---
from fiera.academy.alumni import alumni_directory as alumni_directory
from fiera.academy.alumni import alumni_is_member as alumni_is_member
from fiera.academy.alumni import alumni_post_get as alumni_post_get
from fiera.academy.alumni import alumni_post_list as alumni_post_list
from fiera.academy.alumni import alumni_profile_get as alumni_profile_get
from fiera.academy.alumni import alumni_reply_get as alumni_reply_get
