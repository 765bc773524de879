"""Guide titles kept in Polish and English (django-modeltranslation; see campaigns/translation.py).

A published version copies both languages' titles from its guide (``training.publishing``), so
an agent reads the title of the version they learn in their own language.
"""

from campaigns.translation import register

from .models import Guide, GuideVersion

register(Guide, ("title",))
register(GuideVersion, ("title",))
