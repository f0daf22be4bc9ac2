"""Draw the sentences bar chart of the kazakhstan-january briefing, in English and Russian.

The numbers are the prison sentences (in years) stated in source/kazakhstan/en.md:
Aron Atabek 18 (torture-2), Ermek Taichibekov 7 (expression-4), Max Bokaev 5
(civil-society-2), Aset Abishev 4 (opposition-2).

The background is transparent (alpha 0 everywhere but the bars, the axis and
the text), so that docbuild's alpha flattening is exercised.

Run from anywhere:  python3 source/kazakhstan-january/images/make-chart.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parents[2] / "fonts" / "NotoSerif-Regular.ttf"

SENTENCES = [18, 7, 5, 4]
LABELS = {
    "en": (["Aron Atabek", "Ermek Taichibekov", "Max Bokaev", "Aset Abishev"], "years"),
    "ru": (["Арон Атабек", "Ермек Тайчибеков", "Макс Бокаев", "Асет Абишев"], "лет"),
}

WIDTH, HEIGHT = 1200, 700
RIGHT, TOP, BOTTOM = 80, 30, 130  # plot area margins; the left one fits the longest name
SCALE_MAX = 20  # years at the right end of the axis
BAR = (31, 41, 55, 255)  # dark slate
INK = (34, 34, 34, 255)


def draw(lang: str) -> None:
    names, unit = LABELS[lang]
    image = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 34)
    small = ImageFont.truetype(str(FONT), 28)

    left = 40 + max(pen.textlength(name, font=font) for name in names) + 24
    plot_width = WIDTH - left - RIGHT
    row = (HEIGHT - TOP - BOTTOM) / len(SENTENCES)
    for i, (name, years) in enumerate(zip(names, SENTENCES)):
        top = TOP + i * row + row * 0.18
        bottom = TOP + (i + 1) * row - row * 0.18
        middle = (top + bottom) / 2
        end = left + plot_width * years / SCALE_MAX
        pen.rectangle([left, top, end, bottom], fill=BAR)
        pen.text((left - 24, middle), name, font=font, fill=INK, anchor="rm")
        pen.text((end + 14, middle), str(years), font=font, fill=INK, anchor="lm")

    # The value axis: a line, ticks every 5 years, and the unit centred below.
    axis_y = HEIGHT - BOTTOM + 10
    pen.line([left, axis_y, left + plot_width, axis_y], fill=INK, width=2)
    for years in range(0, SCALE_MAX + 1, 5):
        x = left + plot_width * years / SCALE_MAX
        pen.line([x, axis_y, x, axis_y + 10], fill=INK, width=2)
        pen.text((x, axis_y + 16), str(years), font=small, fill=INK, anchor="mt")
    pen.text((left + plot_width / 2, axis_y + 60), unit, font=small, fill=INK, anchor="mt")

    image.save(HERE / f"sentences-chart-{lang}.png", optimize=True)


if __name__ == "__main__":
    for lang in LABELS:
        draw(lang)
