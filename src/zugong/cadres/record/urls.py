"""URL patterns of the cadres part ``record`` (included by ``cadres.urls``, namespace ``cadres``): the
干部名册, the cadre profile and its edit pages (``views``)."""

from django.urls import path

from zugong.cadres.record import views

urlpatterns = [
    path("", views.CadreList.as_view(), name="cadre_list"),
    path("new/", views.CadreCreate.as_view(), name="cadre_create"),
    path("<int:pk>/", views.CadreDetail.as_view(), name="cadre_detail"),
    path("<int:pk>/edit/", views.CadreEdit.as_view(), name="cadre_edit"),
    path("<int:pk>/status/", views.CadreStatus.as_view(), name="cadre_status"),
    path("<int:pk>/photo/", views.PhotoSet.as_view(), name="cadre_photo_set"),
    path("<int:pk>/photo/remove/", views.PhotoRemove.as_view(), name="cadre_photo_remove"),
    path("photos/<int:pk>.jpg", views.PhotoView.as_view(), name="cadre_photo"),
    path("<int:pk>/move/", views.RecordMove.as_view(), name="cadre_record_move"),
    path("<int:pk>/educations/new/", views.EducationAdd.as_view(), name="education_add"),
    path("educations/<int:pk>/edit/", views.EducationEdit.as_view(), name="education_edit"),
    path("educations/<int:pk>/delete/", views.EducationDelete.as_view(), name="education_delete"),
    path("<int:pk>/resume/new/", views.ResumeAdd.as_view(), name="resume_add"),
    path("resume/<int:pk>/edit/", views.ResumeEdit.as_view(), name="resume_edit"),
    path("resume/<int:pk>/delete/", views.ResumeDelete.as_view(), name="resume_delete"),
    path("<int:pk>/family/new/", views.FamilyAdd.as_view(), name="family_add"),
    path("family/<int:pk>/edit/", views.FamilyEdit.as_view(), name="family_edit"),
    path("family/<int:pk>/delete/", views.FamilyDelete.as_view(), name="family_delete"),
    path("<int:pk>/assessments/new/", views.AssessmentAdd.as_view(), name="assessment_add"),
    path("assessments/<int:pk>/edit/", views.AssessmentEdit.as_view(), name="assessment_edit"),
    path("assessments/<int:pk>/delete/", views.AssessmentDelete.as_view(), name="assessment_delete"),
]
