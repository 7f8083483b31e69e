from motcua.core.text import fold, normalize_name


def test_it_folds_vietnamese_marks_and_d_with_stroke():
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("  ĐỒNG   Tháp ") == "dong thap"


def test_tone_mark_placement_variants_normalise_to_the_same_name():
    assert fold("Hòa Bình") == fold("Hoà Bình")
    assert normalize_name("Ho\u0300a") == "Hòa"
