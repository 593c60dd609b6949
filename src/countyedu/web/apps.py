from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "countyedu.web"
    label = "web"
    verbose_name = "countyedu"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from countyedu.web.i18n import compile_messages

        compile_messages()
