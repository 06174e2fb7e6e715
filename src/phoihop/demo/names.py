"""Name pools for the demo's persons: Kinh, H'Mông, Dao, Tày, Nùng and Chinese names."""

VIETNAMESE = {
    "Kinh": {
        "surnames": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"],
        "male_middle": ["Văn", "Đức", "Minh", "Quang"],
        "female_middle": ["Thị", "Thu", "Thanh"],
        "male": ["Hùng", "Dũng", "Tuấn", "Đạt", "Sơn", "Cường", "Hải", "Thắng"],
        "female": ["Lan", "Hương", "Mai", "Hà", "Thảo", "Nga", "Hằng", "Yến"],
    },
    "H'Mông": {
        "surnames": ["Giàng", "Vàng", "Sùng", "Lù", "Thào", "Ly", "Mua", "Hầu", "Lầu", "Sình"],
        "male_middle": ["Mí", "Seo", "A", "Chá"],
        "female_middle": ["Thị"],
        "male": ["Páo", "Sủ", "Chứ", "Dế", "Pó", "Tủa", "Chúa", "Sính", "Lử", "Sào"],
        "female": ["Mai", "Dính", "Súa", "Xá", "Pà", "Dợ", "Chía", "Dung"],
    },
    "Dao": {
        "surnames": ["Đặng", "Triệu", "Bàn", "Lý", "Phùng", "Chảo"],
        "male_middle": ["Văn", "Tiến", "Kim"],
        "female_middle": ["Thị"],
        "male": ["Chiêu", "Kiều", "Sành", "Quẩy", "Phấy", "Vần", "Dùng"],
        "female": ["Mẩy", "Xuân", "Sinh", "Phương", "Nhất"],
    },
    "Tày": {
        "surnames": ["Hoàng", "Nông", "Ma", "Lương", "Hà", "Ngọc"],
        "male_middle": ["Văn", "Đình"],
        "female_middle": ["Thị"],
        "male": ["Thụ", "Khánh", "Tuyên", "Pẩu", "Lìu", "Kiên"],
        "female": ["Hoa", "Nhàn", "Thơm", "Mến", "Duyên"],
    },
    "Nùng": {
        "surnames": ["Lương", "Vi", "Nông", "Sầm", "Lục", "Hoàng"],
        "male_middle": ["Văn", "Seo"],
        "female_middle": ["Thị"],
        "male": ["Sáng", "Dền", "Phủ", "Lìn", "Chấn", "Slao"],
        "female": ["Nhung", "Phấy", "Vàng", "Mỷ", "Slinh"],
    },
}

# Weights of the ethnic groups among Vietnamese persons of the border districts.
ETHNIC_WEIGHTS = {"H'Mông": 40, "Kinh": 20, "Dao": 15, "Tày": 15, "Nùng": 10}

CHINESE_SURNAMES = [*list("王李张刘陈杨黄赵周吴徐孙马朱胡郭何罗梁宋"), "欧阳"]
CHINESE_GIVEN_MALE = [
    "小明",
    "国强",
    "伟",
    "建华",
    "志勇",
    "杰",
    "军",
    "海",
    "文",
    "德明",
    "建国",
    "勇",
    "春生",
    "永福",
    "金龙",
    "大山",
]
CHINESE_GIVEN_FEMALE = [
    "丽",
    "芳",
    "敏",
    "红",
    "秀英",
    "玉兰",
    "丽娟",
    "春梅",
    "燕",
    "小红",
    "桂芳",
    "美玲",
]

DISTRICTS = {
    "Đồng Văn": ["Lũng Cú", "Sà Phìn", "Phó Bảng", "Lũng Táo", "Má Lé"],
    "Mèo Vạc": ["Xín Cái", "Thượng Phùng", "Sơn Vĩ", "Pải Lủng"],
    "Yên Minh": ["Bạch Đích", "Phú Lũng", "Na Khê"],
    "Quản Bạ": ["Nghĩa Thuận", "Cao Mã Pờ", "Tùng Vài"],
    "Vị Xuyên": ["Thanh Thủy", "Thanh Đức", "Xín Chải", "Lao Chải"],
    "Hoàng Su Phì": ["Thàng Tín", "Pố Lồ", "Bản Máy", "Thèn Chu Phìn"],
    "Xín Mần": ["Xín Mần", "Pà Vầy Sủ", "Thèn Phàng"],
}

CHINESE_PLACES = ["Ma Lật Pha", "Mã Quan", "Phú Ninh", "Văn Sơn", "Tây Trù"]
