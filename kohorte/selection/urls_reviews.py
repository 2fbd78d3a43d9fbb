"""The review stage: reviewers under /begutachtung/, coordinators under /verwaltung/."""

from django.urls import path

from .views import reviews

app_name = "reviews"
urlpatterns = [
    # Reviewers
    path("begutachtung/", reviews.my_reviews, name="my_reviews"),
    path("begutachtung/bewerbungen/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("begutachtung/bewerbungen/<int:pk>/absenden/", reviews.review_confirm,
         name="review_confirm"),
    path("begutachtung/ausschreibungen/<int:pk>/befangenheit/", reviews.conflicts,
         name="conflicts"),
    # Coordinators
    path("verwaltung/ausschreibungen/<int:pk>/begutachtung/", reviews.overview, name="overview"),
    path("verwaltung/ausschreibungen/<int:pk>/begutachtung/zuweisen/", reviews.assign,
         name="assign"),
    path("verwaltung/ausschreibungen/<int:pk>/begutachtung/export.<str:fmt>", reviews.export,
         name="export"),
    path("verwaltung/ausschreibungen/<int:pk>/kriterien/", reviews.criteria, name="criteria"),
    path("verwaltung/kriterien/<int:pk>/", reviews.criterion_edit, name="criterion_edit"),
    path("verwaltung/kriterien/<int:pk>/verschieben/", reviews.criterion_move,
         name="criterion_move"),
    path("verwaltung/kriterien/<int:pk>/entfernen/", reviews.criterion_remove,
         name="criterion_remove"),
    path("verwaltung/ausschreibungen/<int:pk>/auswahlregeln/", reviews.policy, name="policy"),
    path("verwaltung/begutachtungen/<int:pk>/", reviews.assignment_detail,
         name="assignment_detail"),
    path("verwaltung/begutachtungen/<int:pk>/wieder-oeffnen/", reviews.review_reopen,
         name="review_reopen"),
    path("verwaltung/begutachtungen/<int:pk>/entfernen/", reviews.assignment_remove,
         name="assignment_remove"),
]
