"""API base: every viewset reads through the policy and writes through services."""

from rest_framework import viewsets

from phoihop.core import policy


class PolicyViewSetMixin:
    """`get_queryset` returns only what the requesting user may see (404 for the rest)."""

    base_queryset = None
    action_for_write = policy.CHANGE

    def get_queryset(self):
        action = (
            policy.VIEW
            if self.request.method in ("GET", "HEAD", "OPTIONS")
            else self.action_for_write
        )
        return policy.restrict(self.base_queryset.all(), self.request.user, action)


class ReadOnlyPolicyViewSet(PolicyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
