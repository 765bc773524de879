"""The demo offers' texts in Polish, by offer code: (title, benefit, script, USSD text, banner).

Written for a Polish customer in the brand's "Ty" register, with the operator's vocabulary
(abonament, pakiet danych, światłowód, zł). The USSD texts keep their diacritics, so they go
out as UCS-2 and must fit 80 characters: ``build_catalogue`` validates them as any text.
An empty text falls back to English in the portal, as the English one is empty too.
"""

POLISH = {
    "TV-FIBRE-ADDON": (
        "TV Plus na Twoim światłowodzie",
        "120 kanałów na światłowodzie, który już masz, za 20 zł miesięcznie, bez wizyty "
        "instalatora.",
        "Masz już nasz światłowód, więc TV Plus działa na nim od razu: 120 kanałów za 20 zł "
        "miesięcznie, bez wizyty technika. Włączyć?",
        "",
        "TV Plus na Twoim światłowodzie: 20 zł",
    ),
    "5G-UPGRADE-10": (
        "Przejdź na nielimitowane 5G",
        "Nielimitowany internet 5G za 10 zł więcej miesięcznie, pierwsze 3 miesiące gratis.",
        "W większości miesięcy kończy Ci się pakiet danych. Za 10 zł więcej masz nielimitowane "
        "5G, a pierwsze trzy miesiące są gratis. Przełączyć dziś?",
        "Nielimitowane 5G za +10 zł/mies., 3 miesiące gratis. Wybierz 1, aby przejść.",
        "Nielimitowane 5G, 3 miesiące gratis",
    ),
    "5G-RETAIN-20": (
        "Zostań z nami: 20% taniej",
        "20% zniżki na abonament przez 12 miesięcy przy przedłużeniu umowy na 24 miesiące.",
        "W podziękowaniu za to, że jesteś z nami, mogę obniżyć Twój abonament o 20 procent na "
        "rok, jeśli przedłużysz umowę na dwa lata.",
        "",
        "",
    ),
    "FAMILY-ADD-SIM": (
        "Dodaj kartę SIM dla rodziny",
        "Druga karta SIM za 25 zł ze wspólnym pakietem danych.",
        "Możesz dodać członka rodziny za 25 zł miesięcznie: korzysta z Twojego pakietu danych "
        "i dostaje własny numer.",
        "",
        "Dodaj kartę SIM dla rodziny za 25 zł",
    ),
    "FAMILY-WINBACK": (
        "Wróć do nas: plan rodzinny przez 6 miesięcy za pół ceny",
        "Plan rodzinny 50% taniej przez 6 miesięcy dla powracających klientów.",
        "Chętnie powitamy Cię z powrotem: plan rodzinny przez pół roku za pół ceny, "
        "z zachowaniem dotychczasowych numerów.",
        "",
        "",
    ),
    "DATA-20-PACK": (
        "20 GB dodatkowych danych",
        "20 GB na 30 dni za 15 zł.",
        "Kończył Ci się pakiet danych. Pakiet 20 GB kosztuje 15 zł na 30 dni.",
        "Brakuje danych? 20 GB na 30 dni za 15 zł. Wybierz *100*20#, aby kupić.",
        "20 GB za 15 zł",
    ),
    "DATA-5-USSD": (
        "5 GB na weekend",
        "5 GB na weekend za 5 zł.",
        "",
        "Weekendowe 5 GB za 5 zł - odpowiedz TAK, aby kupić. Ważne pt.-nd.",
        "Weekendowe 5 GB za 5 zł",
    ),
    "PHONE-0-DOWN": (
        "Nowy telefon bez wpłaty na start",
        "Nowy telefon 5G w 24 ratach od 49 zł, teraz nic nie płacisz.",
        "Możemy dziś dać Ci nowy telefon 5G bez wpłaty na start, od 49 zł miesięcznie.",
        "",
        "Nowy telefon 5G, dziś 0 zł",
    ),
    "FIBRE-SWITCH": (
        "Światłowód 1 Gb/s pod Twoim adresem",
        "Światłowód 1 Gb/s za 59 zł, instalacja gratis.",
        "Pod Twoim adresem jest już dostępny światłowód: jeden gigabit za 59 zł, a instalacja "
        "jest bezpłatna.",
        "",
        "Światłowód 1 Gb/s już u Ciebie",
    ),
    "FIBRE-BUNDLE": (
        "Pakiet komórka + światłowód",
        "Światłowód za 39 zł, gdy masz też u nas abonament.",
        "Masz już u nas abonament, więc światłowód kosztuje tylko 39 zł miesięcznie.",
        "",
        "",
    ),
    "TV-XMAS": (
        "TV Plus gratis w grudniu",
        "120 kanałów, grudzień gratis, potem 30 zł.",
        "Do światłowodu możesz dodać TV Plus: 120 kanałów, grudzień gratis, a potem 30 zł "
        "miesięcznie.",
        "",
        "TV Plus: grudzień gratis",
    ),
    "INS-NEWPHONE": (
        "Ubezpiecz nowy telefon",
        "Ochrona ekranu i od kradzieży za 12 zł miesięcznie.",
        "Za 12 zł miesięcznie Twój nowy telefon jest chroniony na wypadek stłuczenia ekranu "
        "i kradzieży.",
        "",
        "",
    ),
    "ROAM-EUPLUS-7": (
        "Pakiet w podróż: UE+ i Wielka Brytania",
        "7 dni internetu i rozmów w UE, Wielkiej Brytanii, Szwajcarii i Norwegii za 19 zł.",
        "Przed wyjazdem: 7 dni rozmów i internetu w UE, Wielkiej Brytanii, Szwajcarii "
        "i Norwegii za 19 zł.",
        "Wyjeżdżasz? 7 dni w UE+UK+CH+NO za 19 zł. Wybierz *100*7#.",
        "Roaming UE+ za 19 zł",
    ),
}
