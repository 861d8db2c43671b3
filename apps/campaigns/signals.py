"""What the campaigns room tells the rooms above it.

`campaign_activated` is sent, once the activation commits, with the campaign: the lists
room allocates its offers into the lists of periods already made (a campaign activated
mid-period must reach members that period), without campaigns knowing lists exist.
"""

from django.dispatch import Signal

campaign_activated = Signal()  # sender=Campaign, campaign=<Campaign>, user=<User>
