"""The demo fund's own words in the other languages: the objectives' titles and the
names of two events (the others stay in English, as a fund's would until someone
enters them). Our translations for the demonstration, not the fund's official
texts: setup-fund loads none (an admin enters the fund's own on the objective's page)."""
from __future__ import annotations

OBJECTIVE_TITLES = {
    1: {"fr": "Voyage et participation des représentants des pays en développement, en particulier des "
              "pays les moins avancés, à la conférence et à son processus préparatoire",
        "es": "Viajes y participación de representantes de países en desarrollo, en particular de los "
              "países menos adelantados, en la conferencia y su proceso preparatorio",
        "ar": "سفر ممثلي البلدان النامية، ولا سيما أقل البلدان نموا، ومشاركتهم في المؤتمر وفي عمليته "
              "التحضيرية",
        "zh": "发展中国家特别是最不发达国家代表出席会议及其筹备进程的旅费和参与",
        "ru": "Поездки и участие представителей развивающихся стран, в частности наименее развитых стран, "
              "в конференции и процессе подготовки к ней"},
    2: {"fr": "Activités liées aux préparatifs de la conférence",
        "es": "Actividades relacionadas con los preparativos de la conferencia",
        "ar": "الأنشطة المتصلة بالأعمال التحضيرية للمؤتمر",
        "zh": "与会议筹备工作有关的活动",
        "ru": "Деятельность, связанная с подготовкой к конференции"},
    3: {"fr": "Appui opérationnel au fonds",
        "es": "Apoyo operacional al fondo",
        "ar": "الدعم التشغيلي للصندوق",
        "zh": "对基金的业务支助",
        "ru": "Оперативная поддержка фонда"},
}

EVENT_TITLES = {
    "Human rights of all migrants, social inclusion, cohesion, and all forms of discrimination": {
        "fr": "Droits de l'homme de tous les migrants, inclusion sociale, cohésion et toutes les formes "
              "de discrimination",
        "es": "Derechos humanos de todos los migrantes, inclusión social, cohesión y todas las formas de "
              "discriminación",
        "ar": "حقوق الإنسان لجميع المهاجرين، والإدماج الاجتماعي، والتماسك، وجميع أشكال التمييز",
        "zh": "所有移民的人权、社会包容、凝聚力和一切形式的歧视",
        "ru": "Права человека всех мигрантов, социальная интеграция, сплоченность и все формы "
              "дискриминации"},
    "Intergovernmental Conference to adopt the Global Compact for Safe, Orderly and Regular Migration": {
        "fr": "Conférence intergouvernementale chargée d'adopter le Pacte mondial pour des migrations "
              "sûres, ordonnées et régulières",
        "es": "Conferencia Intergubernamental encargada de aprobar el Pacto Mundial para una Migración "
              "Segura, Ordenada y Regular",
        "ar": "المؤتمر الحكومي الدولي لاعتماد الاتفاق العالمي من أجل الهجرة الآمنة والمنظمة والنظامية",
        "zh": "通过《安全、有序和正常移民全球契约》政府间会议",
        "ru": "Межправительственная конференция по принятию Глобального договора о безопасной, "
              "упорядоченной и легальной миграции"},
}
