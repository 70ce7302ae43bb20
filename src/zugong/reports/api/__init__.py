"""Reports API: ``GET /api/stats/party/`` (党内统计)."""
