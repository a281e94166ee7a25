from django.apps import AppConfig


class MultilingualConfig(AppConfig):
    name = "multilingual"
    verbose_name = "City languages"

    def ready(self) -> None:
        # A wrong CITY_LANGUAGES stops the start, with a message naming the bad code (not a KeyError on a page).
        from multilingual.languages import city_languages

        city_languages()
