"""The privacy officer's pages, one module each: home (policy, retention), access, erasure."""
