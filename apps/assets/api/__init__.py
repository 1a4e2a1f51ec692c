"""API v2 routes of assets, wire-compatible with the reference: `/v2/mysqldatabases` (+ users),
`/v2/mailboxes` and `/v2/linuxhostings` (+ PHP settings). `serializers` holds the input (types only) and output
shapes, `views` one view per route; the routes are listed in `apps/assets/api_urls.py`.
"""
