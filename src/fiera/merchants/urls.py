from django.urls import path

app_name = "merchants"
urlpatterns: list = []
