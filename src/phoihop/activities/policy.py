"""Who may see and work which foreign-affairs activity.

An activity is worked as a dossier: it, its itinerary, members and security
measures are visible exactly to who sees that dossier (its parties' casework
users cleared for its level; named users for Tuyệt mật), and counted by the
roles that read figures over a whole regulation. Which party may do what (the
lead agency registers and reports, the vetting agency vets and answers) is
decided in the services on top of this rule (`selectors.may_lead`, `may_vet`).
"""

from phoihop.activities.models import Activity, ActivityMember, ItineraryDay, SecurityMeasure
from phoihop.core import policy
from phoihop.dossiers.policy import aggregates_all, visible_dossiers_q


@policy.register(Activity)
def activity_rule(actor, action, queryset):
    if aggregates_all(actor, action):
        return queryset
    return queryset.filter(visible_dossiers_q(actor, prefix="dossier__"))


def _follows_activity(actor, action, queryset):
    if aggregates_all(actor, action):
        return queryset
    return queryset.filter(visible_dossiers_q(actor, prefix="activity__dossier__"))


for _model in (ItineraryDay, ActivityMember, SecurityMeasure):
    policy.register(_model)(_follows_activity)
