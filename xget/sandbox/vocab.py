"""Words the synthetic world is written with: per-language vocabularies, hashtags, names."""

from __future__ import annotations

# Languages with their share of users (weights sum to 100).
LANGS: tuple[tuple[str, int], ...] = (
    ("en", 46), ("es", 11), ("ja", 9), ("pt", 7), ("fr", 5), ("de", 4), ("ar", 4), ("hi", 3),
    ("tr", 3), ("ko", 3), ("id", 3), ("it", 2),
)

WORDS: dict[str, tuple[str, ...]] = {
    "en": ("rocket", "launch", "today", "great", "news", "team", "build", "future", "engine", "data",
           "open", "source", "python", "model", "space", "mars", "energy", "battery", "solar", "car",
           "update", "release", "working", "hard", "amazing", "progress", "week", "thanks", "everyone",
           "coffee", "music", "game", "match", "goal", "city", "night", "morning", "learn", "idea",
           "design", "market", "price", "growth", "science", "robot", "ai", "chip", "network",
           "server", "cloud", "weather", "travel", "book", "film", "art", "photo", "health", "food"),
    "es": ("hoy", "gran", "noticia", "equipo", "futuro", "cohete", "gracias", "todos", "partido",
           "gol", "ciudad", "noche", "mañana", "música", "datos", "proyecto", "trabajo", "semana",
           "energía", "viaje", "libro", "película", "arte", "salud", "comida", "mercado", "precio",
           "ciencia", "robot", "nube"),
    "ja": ("今日", "ロケット", "打ち上げ", "ニュース", "未来", "チーム", "ありがとう", "音楽", "ゲーム",
           "東京", "朝", "夜", "コーヒー", "写真", "映画", "データ", "宇宙", "電池", "旅行", "料理"),
    "pt": ("hoje", "grande", "notícia", "equipe", "futuro", "foguete", "obrigado", "todos", "jogo",
           "gol", "cidade", "noite", "manhã", "música", "dados", "projeto", "trabalho", "semana",
           "energia", "viagem", "livro", "filme", "arte", "saúde", "comida"),
    "fr": ("aujourd'hui", "grande", "nouvelle", "équipe", "avenir", "fusée", "merci", "tous", "match",
           "but", "ville", "nuit", "matin", "musique", "données", "projet", "travail", "semaine",
           "énergie", "voyage", "livre", "film", "art", "santé", "cuisine"),
    "de": ("heute", "große", "Nachricht", "Team", "Zukunft", "Rakete", "danke", "alle", "Spiel", "Tor",
           "Stadt", "Nacht", "Morgen", "Musik", "Daten", "Projekt", "Arbeit", "Woche", "Energie",
           "Reise", "Buch", "Film", "Kunst", "Gesundheit", "Essen"),
    "ar": ("اليوم", "خبر", "فريق", "مستقبل", "صاروخ", "شكرا", "الجميع", "مباراة", "هدف", "مدينة",
           "ليل", "صباح", "موسيقى", "بيانات", "مشروع", "عمل", "أسبوع", "طاقة", "سفر", "كتاب"),
    "hi": ("आज", "खबर", "टीम", "भविष्य", "रॉकेट", "धन्यवाद", "सभी", "मैच", "शहर", "रात", "सुबह",
           "संगीत", "डेटा", "परियोजना", "काम", "सप्ताह", "ऊर्जा", "यात्रा", "किताब", "फिल्म"),
    "tr": ("bugün", "büyük", "haber", "takım", "gelecek", "roket", "teşekkürler", "herkes", "maç",
           "gol", "şehir", "gece", "sabah", "müzik", "veri", "proje", "iş", "hafta", "enerji", "seyahat"),
    "ko": ("오늘", "뉴스", "팀", "미래", "로켓", "감사합니다", "모두", "경기", "도시", "밤", "아침",
           "음악", "데이터", "프로젝트", "일", "주간", "에너지", "여행", "책", "영화"),
    "id": ("hari", "ini", "berita", "tim", "masa", "depan", "roket", "terima", "kasih", "semua",
           "pertandingan", "kota", "malam", "pagi", "musik", "data", "proyek", "kerja", "minggu",
           "energi"),
    "it": ("oggi", "grande", "notizia", "squadra", "futuro", "razzo", "grazie", "tutti", "partita",
           "gol", "città", "notte", "mattina", "musica", "dati", "progetto", "lavoro", "settimana",
           "energia", "viaggio"),
}

# Ordered by popularity: tweets draw them with a power law.
HASHTAGS: tuple[str, ...] = (
    "AI", "SpaceX", "Tesla", "Bitcoin", "Python", "Mars", "WorldCup", "NASA", "Crypto", "Starship",
    "OpenSource", "MachineLearning", "ClimateChange", "Music", "Gaming", "Football", "Science",
    "Tech", "Startup", "News", "Photography", "Travel", "Food", "Art", "Anime", "NBA", "F1",
    "Olympics", "Rust", "JavaScript", "DevOps", "Cloud", "Security", "Privacy", "Health", "Fitness",
    "Books", "Movies", "Netflix", "Apple", "Android", "Linux", "Kubernetes", "Data", "Robotics",
    "Energy", "Solar", "EV", "Economy", "Markets", "Design", "UX", "Education", "History", "Nature",
    "Weather", "Coffee", "Cats", "Dogs", "Friday", "Monday", "Motivation", "TBT", "Fútbol", "México",
    "España", "Brasil", "日本", "東京", "Paris", "Berlin", "Istanbul", "Jakarta", "Seoul", "Mumbai",
    "Roma", "LatAm", "Europe", "Africa", "Asia",
)

NAME_HEADS: tuple[str, ...] = (
    "lunar", "solar", "quiet", "rapid", "brave", "amber", "cosmo", "pixel", "neon", "misty", "noble",
    "urban", "wild", "happy", "lucky", "sunny", "rusty", "swift", "frost", "ember", "nova", "astro",
    "delta", "echo", "golden", "silver", "iron", "coral", "maple", "cedar",
)
NAME_TAILS: tuple[str, ...] = (
    "fox", "owl", "wolf", "hawk", "bear", "lynx", "otter", "crow", "koi", "elk", "dev", "cat",
    "dog", "bee", "ray", "sky", "sea", "moon", "star", "rose", "jay", "ant", "yak", "emu",
)
FIRST_NAMES: tuple[str, ...] = (
    "Alex", "Maria", "Yuki", "Lucas", "Sofia", "Omar", "Priya", "Ana", "Kenji", "Elif", "Chen",
    "Fatima", "Mateo", "Aisha", "Noah", "Lea", "Ravi", "Ines", "Jonas", "Mina", "Diego", "Sara",
    "Hana", "Tom", "Nadia", "Ivan", "Chloe", "Ali", "Rosa", "Ken",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "García", "Tanaka", "Silva", "Dubois", "Müller", "Haddad", "Sharma", "Yılmaz", "Kim",
    "Santoso", "Rossi", "Lee", "Costa", "Novak", "Park", "Martin", "Khan", "Lopez", "Sato",
)
BIOS: tuple[str, ...] = (
    "Building things on the internet.", "Coffee, code and rockets.", "Opinions are my own.",
    "Photographer and traveller.", "Engineer. Runner. Reader.", "Music is life.",
    "Data scientist at a startup.", "Writing about science and the future.", "Gamer and streamer.",
    "Football fan since forever.", "Designer who likes clean lines.", "Teacher, learner, dreamer.",
)
LOCATIONS: tuple[str, ...] = (
    "San Francisco, CA", "Austin, TX", "New York", "London", "Madrid", "São Paulo", "Tokyo",
    "Paris", "Berlin", "Dubai", "Mumbai", "Istanbul", "Seoul", "Jakarta", "Roma", "Mexico City",
    "", "", "Earth", "Mars",
)
SOURCES: tuple[str, ...] = (
    '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
    '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
    '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
)
SITES: tuple[str, ...] = (
    "example.com", "news.example.org", "blog.example.net", "docs.example.dev", "shop.example.io",
)
