"""Campaign governance: who may approve what (four eyes), the pre-live checks, approvals and
rejections, revisions of approved campaigns, the kill switch."""
