from django.urls import path

import cvm_portal.converters  # noqa: F401 - registers <id:…>: ids beyond the database's integers are 404s

from . import views
from .bonus import views as bonus_views
from .console import inquiries as console_inquiries
from .console import preferences as console_preferences
from .console import undo as console_undo
from .console import views as console
from .events import history as event_history
from .handover import results as handover_results
from .handover import views as handover_views
from .insights import note_views as need_notes
from .insights import views_insights
from .outbound import feedback as outbound_feedback
from .outbound import undo as outbound_undo
from .outbound import views as outbound_views
from .recordings import views as research_views

app_name = "channels"

urlpatterns = [
    path("console/", console.console, name="console"),
    path("console/find/", console.find, name="console_find"),
    path("console/pop/", console.screen_pop, name="screen_pop"),
    path("console/inquiries/", console_inquiries.tag, name="console_inquiry"),
    path("console/customers/<str:token>/", console.customer_page, name="console_customer"),
    path(
        "console/customers/<str:token>/preferences/",
        console_preferences.withdraw_consent,
        name="console_preferences",
    ),
    path("console/customers/<str:token>/refresh/", console.refresh, name="console_refresh"),
    path("console/customers/<str:token>/notes/", need_notes.console_note, name="console_note"),
    path("console/offers/<id:pk>/outcome/", console.outcome, name="console_outcome"),
    path("console/offers/<id:pk>/feedback/", console.feedback, name="console_feedback"),
    path("console/outcomes/<id:pk>/undo/", console_undo.undo, name="console_undo"),
    path("console/handovers/", handover_views.queue, name="handover_queue"),
    path("console/handovers/<uuid:pk>/", handover_views.handover, name="handover"),
    path("console/handovers/<uuid:pk>/take/", handover_views.take, name="handover_take"),
    path("console/handovers/<uuid:pk>/close/", handover_views.close, name="handover_close"),
    path(
        "console/customers/<str:token>/handovers/",
        handover_views.history,
        name="handover_history",
    ),
    path(
        "console/customers/<str:token>/interest/",
        event_history.interest,
        name="console_interest",
    ),
    path("handovers/results/", handover_results.results, name="handover_results"),
    path("outbound/", outbound_views.screen, name="outbound"),
    path("outbound/next/", outbound_views.next_customer, name="outbound_next"),
    path("outbound/leads/<id:pk>/attempt/", outbound_views.attempt, name="outbound_attempt"),
    path("outbound/leads/<id:pk>/wrap-up/", outbound_views.wrap_up, name="outbound_wrap_up"),
    path("outbound/leads/<id:pk>/notes/", need_notes.outbound_note, name="outbound_note"),
    path("outbound/offers/<id:pk>/outcome/", outbound_views.outcome, name="outbound_outcome"),
    path("outbound/offers/<id:pk>/feedback/", outbound_feedback.feedback, name="outbound_feedback"),
    path("outbound/outcomes/<id:pk>/undo/", outbound_undo.undo, name="outbound_undo"),
    path("outbound/lists/", outbound_views.call_lists, name="call_lists"),
    path("outbound/lists.csv", outbound_views.call_lists_csv, name="call_lists_csv"),
    path("outbound/lists/build/", outbound_views.build_lists, name="call_lists_build"),
    path("team/", views.team, name="team"),
    path("bonus/", bonus_views.my_statement, name="bonus_mine"),
    path("bonus/statements/<id:pk>/", bonus_views.statement_detail, name="bonus_statement"),
    path("bonus/team/", bonus_views.team, name="bonus_team"),
    path("bonus/plans/", bonus_views.plans, name="bonus_plans"),
    path("bonus/plans/<id:pk>/", bonus_views.plan_detail, name="bonus_plan"),
    path("bonus/plans/<id:pk>/refresh/", bonus_views.plan_refresh, name="bonus_refresh"),
    path("bonus/plans/<id:pk>/close/", bonus_views.plan_close, name="bonus_close"),
    path("bonus/plans/<id:pk>/payroll.csv", bonus_views.payroll, name="bonus_payroll"),
    path("bonus/plans/<id:pk>/simulate/", bonus_views.simulate, name="bonus_simulate"),
    path("bonus/cancellations/", bonus_views.cancellations, name="bonus_cancellations"),
    path(
        "bonus/sites/<str:code>/leaderboard/",
        bonus_views.leaderboard_toggle,
        name="bonus_leaderboard",
    ),
    path("bonus/agencies/", bonus_views.agencies, name="bonus_agencies"),
    path("cvm/research/", research_views.research_queue, name="research_queue"),
    path("cvm/research/items/<id:pk>/review/", research_views.review_item, name="research_review"),
    path("insights/needs/", views_insights.needs, name="insights_needs"),
    path("insights/needs.csv", views_insights.needs_csv, name="insights_needs_csv"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<str:code>/", views.site_detail, name="site_detail"),
]
