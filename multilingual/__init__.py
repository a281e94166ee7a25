"""City content in the city's languages (CITY_LANGUAGES): tender titles and descriptions, outcome and indicator
names are entered in the main language (the base fields) and, optionally, in each other city language (the
variants, one `translations` JSON field per model). Pages show the variant of the active language and fall back
to the main-language value; OCDS releases carry the variants as `title_fr`, `description_nl`, ..."""
