"""Insights: coverage seen over time — trend charts, share of voice, spike alerts, reports.

Stage rules: insights read counts the store made (SQL, on indexes: `bot.store.coverage`) and
never write SQL; they draw charts (`charts`, matplotlib on a worker thread) and compose
captions (`captions`, every word from `texts`); what they send goes through the outbox like
any alert (`Store.queue_media`), never straight to Telegram.
- `periods`: local days in a chat's zone, date labels, the weekly report's schedule.
- `trends`: what `/tren` answers, one series or several (share of voice).
- `spikes`: the spike rule and its thresholds.
- `reports`: the CSV of `/laporan` and the weekly report.
- `jobs`: the periodic work — fold matches into counts, back-fill new watches' history,
  check spikes as matches arrive, send weekly reports when due.
"""
