from io import StringIO

from django.core.management import call_command

from influencers.models import Collaboration, HealthAlert, Relationship, Stage


def test_the_demo_has_relationships_collaborations_and_the_ambassadors_alert(db):
    call_command("seed_demo", stdout=StringIO())
    stages = set(Relationship.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert Relationship.objects.count() >= 30
    assert Collaboration.objects.count() == 3
    alert = HealthAlert.objects.get(relationship__influencer__name="Mia Sound")
    assert alert.recipient.email == "manager@acme.example"
    mia = Collaboration.objects.get(relationship__influencer__name="Mia Sound")
    assert mia.links.filter(matched_by="author").count() == 4
    alerts = HealthAlert.objects.count()
    # Idempotent.
    call_command("seed_demo", stdout=StringIO())
    assert Collaboration.objects.count() == 3
    assert HealthAlert.objects.count() == alerts
