"""``{% load translated %}``: texts CVM writes, in the reader's language, marked when they are not.

    <h3>{% translated offer "title" %}</h3>
        → Pakiet 20 GB                      (a Polish reader, Polish title kept)
        → <span lang="en">20 GB pack</span> (a Polish reader, English title only)
    <blockquote{% text_lang content "agent_script" %}>{{ content.agent_script }}</blockquote>
        → lang="en" on the element itself, for block texts

Both escape the text; ``cvm_portal.translated`` decides which language a text is in.
"""

from django import template
from django.utils.html import conditional_escape, format_html

from cvm_portal.translated import translated as resolve

register = template.Library()


@register.simple_tag
def translated(obj, field: str):
    """The text of ``obj.field`` for this reader, in a ``<span lang>`` when it fell back."""
    if obj is None:
        return ""
    text = resolve(obj, field)
    if text.other_language:
        return format_html('<span lang="{}">{}</span>', text.language, text.text)
    return conditional_escape(text.text)


@register.simple_tag
def text_lang(obj, field: str):
    """` lang="xx"` for an element holding ``obj.field`` when that text fell back; else nothing."""
    if obj is None:
        return ""
    text = resolve(obj, field)
    return format_html(' lang="{}"', text.language) if text.other_language else ""
