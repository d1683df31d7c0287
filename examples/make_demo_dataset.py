"""Writes core/data/demo_reviews.csv: the built-in demo set (short Arabic restaurant reviews, 0-10).

The sentences were written for the project; this script combines them with a fixed seed into
reviews whose score follows their tone, and adds the noise real web text has (diacritics,
tatweel, repeated letters, emoji, a URL now and then). A small demo set for trying the zoo on a
fresh machine, not a benchmark. Run from the repository root: python examples/make_demo_dataset.py
"""
import csv
import random
from pathlib import Path

OPENERS = ["زرت المطعم يوم الجمعة مع عائلتي.", "ذهبت مع أصدقائي للعشاء.", "طلبت من التطبيق للمرة الأولى.",
           "جربت هذا المطعم بعد أن سمعت عنه كثيرا.", "كانت زيارتي الثانية لهذا المكان.", "طلبنا غداء للعمل.", "", ""]
DISHES = ["الكبسة", "المندي", "الفلافل", "البرجر", "المشاوي", "البيتزا", "السمك", "الشاورما", "الحمص", "الكنافة"]
HIGH = ["{dish} لذيذ جدا وطازج.", "الخدمة ممتازة والموظفون لطفاء.", "الأسعار مناسبة للجودة.",
        "المكان نظيف وجميل وهادئ.", "أنصح الجميع بزيارته.", "من أفضل المطاعم في المدينة.",
        "{dish} رائع والكمية كبيرة.", "التوصيل سريع والطعام وصل ساخنا.", "سأعود مرة أخرى بالتأكيد.",
        "تجربة رائعة بكل معنى الكلمة.", "النكهة مميزة والتقديم أنيق.", "الاستقبال كان حارا ومرحبا."]
MEDIUM = ["{dish} مقبول لكنه ليس مميزا.", "الخدمة عادية.", "الأسعار مرتفعة قليلا.", "المكان مزدحم أحيانا.",
          "لا بأس به إذا كنت في المنطقة.", "التجربة متوسطة بشكل عام.", "الانتظار طويل نوعا ما.",
          "بعض الأطباق جيدة وبعضها لا.", "{dish} كان جيدا لكن الصلصة مالحة.", "ربما أجربه مرة أخرى."]
LOW = ["{dish} بارد وطعمه سيء.", "الخدمة بطيئة جدا.", "الأسعار غالية بلا مبرر.", "المكان غير نظيف.",
       "لن أعود مرة أخرى.", "أسوأ تجربة في حياتي.", "الموظفون غير محترمين.", "الطلب وصل متأخرا وناقصا.",
       "لا أنصح به أبدا.", "{dish} محروق ولا يؤكل.", "انتظرنا ساعة كاملة بلا فائدة."]
SCORES = {"high": [7, 7.5, 8, 8.5, 9, 9.5, 10], "medium": [4, 4.5, 5, 5.5, 6, 6.5],
          "low": [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]}
NOISE = [lambda t: t.replace("جدا", "جــدا"), lambda t: t.replace("رائع", "رائعععع"),
         lambda t: t.replace("لذيذ", "لَذِيذ"), lambda t: t + " 👍", lambda t: t + " 😡",
         lambda t: t + " http://example.com/review", lambda t: t.replace("ممتازة", "ممتاااازة"),
         lambda t: t + " !!!"]


def review(rng: random.Random, level: str) -> str:
    own = {"high": HIGH, "medium": MEDIUM, "low": LOW}[level]
    other = {"high": MEDIUM, "medium": rng.choice([HIGH, LOW]), "low": MEDIUM}[level]
    sentences = rng.sample(own, rng.randint(1, 3))
    if rng.random() < 0.25:
        sentences.append(rng.choice(other))
    rng.shuffle(sentences)
    dish = rng.choice(DISHES)
    text = " ".join([rng.choice(OPENERS), *[s.format(dish=dish) for s in sentences]]).strip()
    if rng.random() < 0.3:
        text = rng.choice(NOISE)(text)
    return text


def main() -> None:
    rng = random.Random(2026)
    rows, seen = [], set()
    levels = ["high"] * 170 + ["medium"] * 110 + ["low"] * 140
    rng.shuffle(levels)
    for level in levels:
        text = review(rng, level)
        while text in seen:
            text = review(rng, level)
        seen.add(text)
        rows.append({"text": text, "score": rng.choice(SCORES[level])})
    out = Path("core/data/demo_reviews.csv")
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "score"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
