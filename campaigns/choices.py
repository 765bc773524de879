"""Enumerations of the CVM side. Channel *kinds* live here so campaigns never import channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    """The nine built-in channels. Channels are data (``campaigns.models.Channel``, asked through
    ``campaigns.channel_registry``); these constants stay for what is specific to a built-in
    channel (sites, call lists, the USSD gateway, capacity). Assisted kinds have an agent."""

    STORE = "store", _("Store")
    INBOUND_CALL = "inbound_call", _("Inbound call")
    OUTBOUND_CALL = "outbound_call", _("Outbound call")
    FIELD = "field", _("Field")
    WEB = "web", _("Web")
    APP = "app", _("App")
    CHATBOT = "chatbot", _("Chatbot")
    USSD = "ussd", _("USSD")
    IVR = "ivr", _("IVR")

    @classmethod
    def assisted(cls) -> list["ChannelKind"]:
        return [cls.STORE, cls.INBOUND_CALL, cls.OUTBOUND_CALL, cls.FIELD]


# The kinds worked from outbound call lists, calls first: a campaign that runs in both has its
# lists worked by phone.
OUTBOUND_CHANNEL_KINDS = (ChannelKind.OUTBOUND_CALL, ChannelKind.FIELD)


class CampaignStatus(models.TextChoices):
    """A campaign's life: draft → in review → approved → live ⇄ paused → ended."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    LIVE = "live", _("Live")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


# Which status a campaign may move to from each status.
CAMPAIGN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CampaignStatus.DRAFT: (CampaignStatus.IN_REVIEW,),
    CampaignStatus.IN_REVIEW: (CampaignStatus.APPROVED, CampaignStatus.DRAFT),
    CampaignStatus.APPROVED: (CampaignStatus.LIVE, CampaignStatus.DRAFT),
    CampaignStatus.LIVE: (CampaignStatus.PAUSED, CampaignStatus.ENDED),
    CampaignStatus.PAUSED: (CampaignStatus.LIVE, CampaignStatus.ENDED),
    CampaignStatus.ENDED: (),
}


class Objective(models.TextChoices):
    ACQUISITION = "acquisition", _("Acquisition")
    UPSELL = "upsell", _("Upsell")
    CROSS_SELL = "cross_sell", _("Cross-sell")
    RETENTION = "retention", _("Retention")
    WIN_BACK = "win_back", _("Win-back")


class Segment(models.TextChoices):
    PREPAID = "prepaid", _("Consumer prepaid")
    POSTPAID = "postpaid", _("Consumer postpaid")
    SMALL_BUSINESS = "small_business", _("Small business")
    CORPORATE = "corporate", _("Corporate")


class ValueTier(models.TextChoices):
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class ProductFamily(models.TextChoices):
    """At most one offer per family is shown to a customer at a time."""

    MOBILE_PLAN = "mobile_plan", _("Mobile plan")
    DATA_ADDON = "data_addon", _("Data add-on")
    DEVICE = "device", _("Device")
    BROADBAND = "broadband", _("Home broadband")
    TV = "tv", _("TV")
    INSURANCE = "insurance", _("Insurance")
    ROAMING = "roaming", _("Roaming")
    CONTENT = "content", _("Content and entertainment")


class Consent(models.TextChoices):
    """Kinds of permission a customer gives; each channel kind needs one of them."""

    MARKETING = "consent_marketing", _("Offers during service contacts")
    CALLS = "consent_calls", _("Marketing calls and visits")
    SMS = "consent_sms", _("SMS and USSD messages")
    APP_PUSH = "consent_app_push", _("App notifications")
    DIGITAL = "consent_digital", _("Personalised web and chat offers")


# The yes/no contact fields of a customer, in the order of the snapshot file's columns.
CONTACT_FLAG_FIELDS = [*Consent.values, "do_not_contact"]

# The consent a customer must have given for an offer to reach them through a built-in channel
# kind, as the registry was seeded with: code asks ``campaigns.channel_registry.consent_for``,
# which an administrator may change and which knows the channels added since.
CONSENT_FOR_CHANNEL: dict[str, Consent] = {
    ChannelKind.STORE: Consent.MARKETING,
    ChannelKind.INBOUND_CALL: Consent.MARKETING,
    ChannelKind.IVR: Consent.MARKETING,
    ChannelKind.OUTBOUND_CALL: Consent.CALLS,
    ChannelKind.FIELD: Consent.CALLS,
    ChannelKind.USSD: Consent.SMS,
    ChannelKind.APP: Consent.APP_PUSH,
    ChannelKind.WEB: Consent.DIGITAL,
    ChannelKind.CHATBOT: Consent.DIGITAL,
}


class LoadKind(models.TextChoices):
    """What a warehouse file holds."""

    CUSTOMERS = "customers", _("Customer snapshot")
    TARGET_GROUP = "target_group", _("Target group")
    CONVERSIONS = "conversions", _("Conversions")
    SERVICE_CONTACTS = "contacts", _("Service contacts")


class LoadStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Loaded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (already loaded)")


class RejectReason(models.TextChoices):
    """Why a row of a warehouse file was put in quarantine instead of loaded."""

    MISSING_VALUE = "missing_value", _("A required value is empty")
    UNKNOWN_CUSTOMER = "unknown_customer", _("Unknown customer id")
    UNKNOWN_OFFER = "unknown_offer", _("Unknown offer code, or the offer is not in this campaign")
    UNKNOWN_PRODUCT = "unknown_product", _("Unknown product code")
    DUPLICATE = "duplicate", _("Duplicate of an earlier line")
    BAD_NUMBER = "bad_number", _("Not a number")
    OUT_OF_RANGE = "out_of_range", _("Value out of range")
    BAD_PHONE = "bad_phone", _("Not a valid phone number")
    PHONE_TAKEN = "phone_taken", _("Phone number belongs to another customer")
    BAD_CHOICE = "bad_choice", _("Not one of the allowed values")
    BAD_DATE = "bad_date", _("Not a date (YYYY-MM-DD)")
    BAD_BOOLEAN = "bad_boolean", _("Not a yes/no value (1/0, true/false, y/n)")
    WRONG_FIELD_COUNT = "wrong_field_count", _("Wrong number of fields on the line")
    BAD_CODE = "bad_code", _("Not a valid product code")
    BAD_TEXT = "bad_text", _("Text with markup, or too long")


class Outcome(models.TextChoices):
    """What happened to an offer that was shown to an agent or a channel."""

    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LATER = "later", _("Later")
    NOT_PRESENTED = "not_presented", _("Not presented")


# Outcomes that mean the customer was really contacted about the offer.
CONTACT_OUTCOMES = (Outcome.ACCEPTED, Outcome.DECLINED, Outcome.LATER)


class NotPresentedReason(models.TextChoices):
    CUSTOMER_ISSUE = "customer_issue", _("The customer has an issue to solve")
    NO_TIME = "no_time", _("No time")
    NOT_APPROPRIATE = "not_appropriate", _("Not appropriate now")


class Exclusion(models.TextChoices):
    """Why an offer that was a candidate is not shown: the decisioning filters, by name."""

    NOT_VALID = "not_valid", _("Offer not valid today")
    NO_CONSENT = "no_consent", _("No consent for this channel")
    DO_NOT_CONTACT = "do_not_contact", _("Customer asked not to be contacted")
    COOLDOWN = "cooldown", _("Contacted for this campaign too recently")
    CONTACT_CAP = "contact_cap", _("Contact limit across campaigns reached")
    DECLINED_RECENTLY = "declined_recently", _("Declined recently")
    ALREADY_ACCEPTED = "already_accepted", _("Already accepted")
    ALREADY_HOLDS = "already_holds", _("Customer already has the product")
    TRAINING_REQUIRED = "training_required", _("Agent has not passed the campaign's training")
    CONTROL_GROUP = "control_group", _("In the control group (held out)")
    SAME_FAMILY = "same_family", _("A better offer of the same product family is shown")
    OVER_LIMIT = "over_limit", _("Below the top offers for this channel")
    INTENT = "intent", _("Not offered for the intent the customer stated")


class Device(models.TextChoices):
    """The device a digital channel's customer uses, as a decision request's context says it."""

    PHONE = "phone", _("Smartphone")
    TABLET = "tablet", _("Tablet")
    DESKTOP = "desktop", _("Computer")
    FEATURE_PHONE = "feature_phone", _("Feature phone")
    TV = "tv", _("TV set")
    OTHER = "other", _("Other device")


class FeedbackReason(models.TextChoices):
    WRONG_CUSTOMER = "wrong_customer", _("Wrong customer for this offer")
    PRICE = "price", _("Price")
    ALREADY_HAS_IT = "already_has_it", _("Customer already has it")
    SCRIPT_TOO_LONG = "script_too_long", _("Script too long")
    TEXT_ERROR = "text_error", _("Error in the text")
    OTHER = "other", _("Other")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    ACTIONED = "actioned", _("Actioned")


class PropensitySource(models.TextChoices):
    """Which likelihood a campaign's offers are scored with."""

    FILE = "file", _("Target-group file")
    LEARNED = "learned", _("Learned from outcomes")
    BLENDED = "blended", _("Blended: file and learned")
