"""The analyst's report: the paper's tables beside ours, plots, maps and coverage, as one
self-contained HTML file rendered from the published warehouse (``make report``)."""

from cluster_resilience.report.render import ReportResult, format_value, render_html, render_report

__all__ = ["ReportResult", "format_value", "render_html", "render_report"]
