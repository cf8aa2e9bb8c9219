"""Pantau: a media-monitoring alert bot for Telegram.

Stage order (data flows one way): sources → fetch → parse → store → match → compose → deliver
→ telegram, with `config` and `cli` at the edges; `pipeline` runs one poll through the stages
and `service` schedules polls and delivery.
"""
