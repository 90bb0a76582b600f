#!/usr/bin/env python3
"""A second synthetic council, written apart from the synthetic_council example.

Usage: python population.py OUT_DIR RECORDS [--seed N]

Writes one CSV per system (council_tax, electoral_register, school_census,
housing_benefit, adult_social_care, library, parking_permits) with the columns
record_id, first_name, surname, date_of_birth, postcode, address_line1, email,
phone, and truth.csv (source, record_id, person_id). About RECORDS records.

How it differs from the first generator, on purpose:

- Names follow other frequencies: English surnames weighted by the ONS
  frequencies Faker's en_GB provider carries (500 names, 40% of people), a long
  tail beyond them, forenames by their ONS rank (Zipf), and names from several
  communities (Polish, Pakistani, Bangladeshi, Indian, Nigerian, Romanian,
  Lithuanian, Irish, Italian, Portuguese, Turkish) in their own spelling, with
  the variants transliteration gives (Muhammad, Mohammed, Mohammad).
- Households follow the ONS household types of England and Wales: one person,
  couples with and without children, lone parents, grown-up children at home,
  three generations, shared houses; flats in one building share a postcode and
  differ by the flat number only.
- Fathers and sons share a name at one address; twins share a surname, birthday
  and home, sometimes an initial; couples keep, take or join surnames; some women
  married lately and some systems still hold the maiden name; grown-up children
  moved out and some systems still hold the parents' address.
- Systems hold what they would: the electoral register rarely a date of birth,
  council tax its liable adults, the school census children with a parent's phone
  and email, the library self-registrations with duplicates of the same person,
  legacy systems that drop accents or keep only an initial. Each has its own
  error rates: typing slips, nicknames, day and month swapped, a year-only date
  (1 January), a placeholder date, formatting of phones and postcodes.

Dates are written YYYY-MM-DD so that both tools read them alike.
"""
import argparse
import bisect
import csv
import itertools
import os
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker.providers.address import en_GB as address_en_gb
from faker.providers.person import (en_GB, en_IE, en_IN, en_PK, en_US, it_IT, lt_LT,
                                    pl_PL, pt_PT, ro_RO, tr_TR, yo_NG)

TODAY = date(2026, 12, 1)


class Weighted:
    """Draws from a list of values with weights, by bisecting cumulative weights."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.values = [v for v, _ in pairs]
        self.cumulative = list(itertools.accumulate(w for _, w in pairs))

    def draw(self, rng):
        x = rng.random() * self.cumulative[-1]
        return self.values[bisect.bisect_right(self.cumulative, x)]


def names(values):
    """A provider's names as (name, weight): its weights where it has them,
    else Zipf weights by the order it lists them in (frequency order for the
    ONS lists)."""
    if hasattr(values, "items"):
        return [(k, w) for k, w in values.items() if k]
    return [(v, 1.0 / (i + 1) ** 0.8) for i, v in enumerate(dict.fromkeys(values)) if v]


def provider_names(provider, kind):
    for attr in (f"{kind}s", f"{kind}s_male", f"{kind}s_female"):
        if hasattr(provider.Provider, attr):
            return getattr(provider.Provider, attr)
    raise AttributeError(kind)


def long_tail(rng):
    """English-looking surnames beyond the common ones: the head of one name and
    the tail of another (Harr + ington), about as many as a borough holds."""
    pool = sorted({n for p in (en_US, en_IE) for n in provider_names(p, "last_name")}
                  | set(en_GB.Provider.last_names))
    made = set()
    vowels = "aeiouy"
    while len(made) < 40000:
        a, b = rng.choice(pool), rng.choice(pool).lower()
        # The head of one up to its first syllable's consonant, the last
        # syllable of the other with the consonant before it.
        i = next((k for k in range(1, len(a)) if a[k - 1] in vowels and a[k] not in vowels), None)
        j = next((k for k in range(len(b) - 1, 0, -1)
                  if b[k] in vowels and b[k - 1] not in vowels), None)
        if i is not None and j is not None:
            name = a[:i + 1] + b[j - 1:]
            if 5 <= len(name) <= 11 and name not in pool:
                made.add(name)
    return sorted(made | set(pool))


@dataclass
class Community:
    share: float
    female: Weighted
    male: Weighted
    surname_female: Weighted
    surname_male: Weighted
    # Forenames written more than one way by clerks (Muhammad, Mohammed).
    variants: dict = field(default_factory=dict)
    # A woman's form of a family's surname, where the language has one.
    feminine: object = None

    def surname_of(self, family_surname, sex):
        return self.feminine(family_surname) if self.feminine and sex == "F" else family_surname


def polish_feminine(surname):
    """Kowalski's wife and daughters are Kowalska."""
    for ending in ("ski", "cki", "dzki"):
        if surname.endswith(ending):
            return surname[:-1] + "a"
    return surname


MUSLIM_VARIANTS = {
    "Muhammad": ["Mohammed", "Mohammad", "Mohamed", "Muhammed"],
    "Mohammed": ["Muhammad", "Mohammad", "Mohamed"],
    "Hussain": ["Hussein", "Husain"],
    "Ahmed": ["Ahmad"],
    "Choudhury": ["Chowdhury", "Chaudhry"],
    "Miah": ["Mia"],
    "Uddin": ["Udin"],
    "Fatima": ["Fatimah"],
    "Ayesha": ["Aisha", "Aysha"],
    "Rahman": ["Rehman"],
}

# The commonest names of British Pakistani and Bangladeshi families, which the
# Faker lists lack, in rough order of frequency.
SOUTH_ASIAN_MALE = ["Muhammad", "Mohammed", "Ali", "Ahmed", "Hassan", "Imran", "Bilal", "Usman",
                    "Adnan", "Zubair", "Tariq", "Shahid", "Abdul", "Hamza", "Ibrahim", "Yusuf",
                    "Rizwan", "Kamran", "Asif", "Faisal", "Nadeem", "Sajid", "Zahid", "Arif"]
SOUTH_ASIAN_FEMALE = ["Fatima", "Ayesha", "Maryam", "Zainab", "Amina", "Nadia", "Samina",
                      "Shazia", "Rubina", "Nasreen", "Sadia", "Hina", "Saima", "Farzana",
                      "Shabana", "Rukhsana", "Yasmin", "Noor", "Hafsa", "Khadija"]
SOUTH_ASIAN_SURNAMES = ["Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Begum", "Bibi", "Shah",
                        "Iqbal", "Rahman", "Islam", "Miah", "Uddin", "Choudhury", "Mahmood",
                        "Butt", "Malik", "Qureshi", "Raja", "Aslam", "Saleem", "Javed", "Rashid"]


def zipf(values):
    return Weighted((v, 1.0 / (i + 1)) for i, v in enumerate(values))


def communities(rng):
    tail = long_tail(rng)
    english_surnames = Weighted(
        names(en_GB.Provider.last_names)
        # The long tail carries the 60% of people the 500 common names miss.
        + [(n, 60.0 / len(tail)) for n in tail])

    def plain(provider, share, feminine=None):
        p = provider.Provider
        # pl_PL keeps its surnames in two lists, neither called last_names.
        surnames = Weighted(names(getattr(p, "unisex_last_names", ()))
                            + names(getattr(p, "male_last_names", ())) if feminine
                            else names(p.last_names))
        female = getattr(p, "first_names_female", p.first_names)
        male = getattr(p, "first_names_male", p.first_names)
        return Community(share, Weighted(names(female)), Weighted(names(male)), surnames,
                         surnames, feminine=feminine)

    south_asian_surnames = zipf(SOUTH_ASIAN_SURNAMES + list(en_PK.Provider.last_names))
    return [
        Community(0.70, Weighted(names(en_GB.Provider.first_names_female)),
                  Weighted(names(en_GB.Provider.first_names_male)), english_surnames,
                  english_surnames),
        plain(pl_PL, 0.04, feminine=polish_feminine),
        Community(0.05, zipf(SOUTH_ASIAN_FEMALE + list(en_PK.Provider.first_names)[:40]),
                  zipf(SOUTH_ASIAN_MALE + list(en_PK.Provider.first_names)[40:80]),
                  south_asian_surnames, south_asian_surnames, MUSLIM_VARIANTS),
        plain(en_IN, 0.04),
        Community(0.02, zipf(SOUTH_ASIAN_FEMALE), zipf(SOUTH_ASIAN_MALE),
                  zipf(["Begum", "Khatun", "Akter", "Islam", "Rahman", "Miah"]),
                  zipf(["Miah", "Uddin", "Ahmed", "Islam", "Rahman", "Hussain", "Ali",
                        "Choudhury", "Hoque", "Alam"]), MUSLIM_VARIANTS),
        plain(yo_NG, 0.03),
        plain(ro_RO, 0.025),
        plain(lt_LT, 0.005),
        plain(en_IE, 0.02),
        plain(it_IT, 0.01),
        plain(pt_PT, 0.01),
        plain(tr_TR, 0.01),
    ]


NICKNAMES = {
    "William": ["Bill", "Will", "Billy"], "Robert": ["Rob", "Bob", "Bobby"],
    "Richard": ["Rich", "Dick"], "James": ["Jim", "Jimmy", "Jamie"], "John": ["Jack", "Johnny"],
    "Margaret": ["Maggie", "Peggy", "Meg"], "Elizabeth": ["Liz", "Beth", "Lizzy", "Betty"],
    "Katherine": ["Kate", "Kathy"], "Catherine": ["Cathy", "Kate"], "Thomas": ["Tom", "Tommy"],
    "Michael": ["Mike", "Mick"], "Christopher": ["Chris"], "Matthew": ["Matt"],
    "Daniel": ["Dan", "Danny"], "Anthony": ["Tony"], "Joseph": ["Joe"], "Samuel": ["Sam"],
    "Alexander": ["Alex"], "Benjamin": ["Ben"], "Edward": ["Ed", "Ted", "Eddie"],
    "Jennifer": ["Jen", "Jenny"], "Rebecca": ["Becky", "Becca"], "Victoria": ["Vicky"],
    "Susan": ["Sue", "Susie"], "Patricia": ["Pat", "Trish"], "Deborah": ["Debbie", "Deb"],
    "Nicholas": ["Nick"], "Andrew": ["Andy"], "Stephen": ["Steve"], "Jonathan": ["Jon"],
    "Jacqueline": ["Jackie"], "Christine": ["Chris", "Chrissie"], "Alexandra": ["Alex", "Sasha"],
    "Małgorzata": ["Gosia"], "Katarzyna": ["Kasia"], "Aleksander": ["Olek"],
    "Wojciech": ["Wojtek"], "Agnieszka": ["Aga"], "Aleksandra": ["Ola"], "Jakub": ["Kuba"],
}

KEYBOARD = {c: n for c, n in zip(
    "qwertyuiopasdfghjklzxcvbnm",
    ["wa", "qes", "wrd", "etf", "ryg", "tuh", "yij", "uok", "ipl", "o", "qsz", "awdx", "sefc",
     "drgv", "fthb", "gyjn", "hukm", "jil", "kop", "asx", "zsdc", "xdfv", "cfgb", "vghn", "bhjm",
     "njk"])}


def typo(s, rng):
    """One typing slip: a neighbouring key, a letter lost, doubled or two swapped."""
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s))
    kind = rng.random()
    if kind < 0.35:
        c = s[i].lower()
        if c in KEYBOARD:
            r = rng.choice(KEYBOARD[c])
            return s[:i] + (r.upper() if s[i].isupper() else r) + s[i + 1:]
        return s
    if kind < 0.6:
        return s[:i] + s[i + 1:]
    if kind < 0.8:
        return s[:i] + s[i] + s[i:]
    if i + 1 < len(s):
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s


def ascii_fold(s):
    """What a system that keeps only ASCII makes of a name."""
    s = s.replace("ł", "l").replace("Ł", "L").replace("ı", "i").replace("İ", "I")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@dataclass
class Address:
    line1: str
    postcode: str
    landline: str | None


@dataclass
class Person:
    id: int
    first: str
    surname: str
    sex: str
    dob: date
    community: Community
    home: int
    old_home: int | None = None
    maiden: str | None = None
    mobile: str | None = None
    email: str | None = None
    # Whose phone and email a system takes for a child.
    guardian: "Person | None" = None


class Places:
    """Streets of houses and blocks of flats, about fifteen homes a postcode."""

    UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

    def __init__(self, rng):
        self.rng = rng
        self.homes = []
        self.streets = sorted({rng.choice(address_en_gb.Provider.street_prefixes
                                          if hasattr(address_en_gb.Provider, "street_prefixes")
                                          else ["North", "South", "Old", "New", "Upper", "Lower"])
                               + " " + rng.choice(list(en_GB.Provider.last_names))
                               + " " + rng.choice(["Road", "Street", "Lane", "Avenue", "Close",
                                                   "Way", "Gardens", "Court", "Terrace", "Drive",
                                                   "Grove", "Place", "Crescent", "Rise"])
                               for _ in range(20000)})
        rng.shuffle(self.streets)
        self.units = (f"RB{d} {s}{a}{b}" for d in range(1, 40) for s in range(10)
                      for a in self.UNIT_LETTERS for b in self.UNIT_LETTERS)

    def new_postcode(self):
        return next(self.units)

    def grow(self, count):
        """Adds about `count` homes, street by street."""
        street = len(self.homes) // 60
        while count > 0:
            name = self.streets[street % len(self.streets)]
            if street >= len(self.streets):
                name = f"{name} {street // len(self.streets) + 1}"
            street += 1
            number, postcode, in_unit = 1, self.new_postcode(), 0
            for _ in range(self.rng.randint(20, 90)):
                if in_unit >= self.rng.randint(10, 20):
                    postcode, in_unit = self.new_postcode(), 0
                flats = self.rng.random() < 0.035
                for flat in range(1, (self.rng.randint(4, 12) if flats else 1) + 1):
                    line = f"Flat {flat}, {number} {name}" if flats else f"{number} {name}"
                    landline = (f"0{self.rng.randint(1130, 1999)} {self.rng.randint(100000, 999999)}"
                                if self.rng.random() < 0.35 else None)
                    self.homes.append(Address(line, postcode, landline))
                    in_unit += 1
                    count -= 1
                number += self.rng.choice([1, 2, 2])
        return len(self.homes)


class Population:
    def __init__(self, rng):
        self.rng = rng
        self.communities = communities(rng)
        self.by_share = Weighted((c, c.share) for c in self.communities)
        self.places = Places(rng)
        self.people = []
        self.households = []
        self.free_homes = []

    def birth(self, age_low, age_high):
        days = self.rng.randint(int(age_low * 365.25), int(age_high * 365.25))
        return TODAY - timedelta(days=days)

    def person(self, community, sex, surname, dob, home, first=None):
        c = community
        first = first or (c.female if sex == "F" else c.male).draw(self.rng)
        p = Person(len(self.people), first, surname, sex, dob, c, home)
        self.people.append(p)
        return p

    def surname_for(self, c, sex):
        return c.surname_of((c.surname_female if sex == "F" else c.surname_male).draw(self.rng),
                            sex)

    def contact(self, p):
        age = (TODAY - p.dob).days / 365.25
        if age >= 13 and self.rng.random() < (0.6 if age < 18 else 0.92):
            p.mobile = f"07{self.rng.randint(100000000, 999999999)}"
        if age >= 16 and self.rng.random() < 0.85:
            f = ascii_fold(p.first).lower().replace(" ", "")
            s = ascii_fold(p.surname).lower().replace(" ", "").replace("'", "")
            pattern = self.rng.choice([f"{f}.{s}", f"{f}{s}", f"{f[0]}{s}", f"{f}_{s}",
                                       f"{s}.{f}", f"{f}{self.rng.randint(1, 99)}"])
            suffix = self.rng.choice(["", "", str(p.dob.year % 100), str(self.rng.randint(1, 999))])
            domain = self.rng.choice(["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk",
                                      "icloud.com", "btinternet.com", "live.co.uk"])
            p.email = f"{pattern}{suffix}@{domain}"

    def household(self):
        rng = self.rng
        if not self.free_homes:
            start = len(self.places.homes)
            self.places.grow(2000)
            self.free_homes = list(range(start, len(self.places.homes)))
            rng.shuffle(self.free_homes)
        home = self.free_homes.pop()
        c = self.by_share.draw(rng)
        kind = rng.random()
        members = []

        def adult(sex, low, high, surname=None, community=None):
            cc = community or c
            return self.person(cc, sex, surname or self.surname_for(cc, sex),
                               self.birth(low, high), home)

        def couple(low, high):
            a = adult("M" if rng.random() < 0.98 else "F", low, high)
            partner_c = c if rng.random() < 0.9 else self.by_share.draw(rng)
            age_a = (TODAY - a.dob).days / 365.25
            b = adult("F" if a.sex == "M" or rng.random() < 0.5 else "M",
                      max(18, age_a - 6), age_a + 3, community=partner_c)
            married = rng.random() < 0.65
            if married and b.sex == "F":
                # Most wives take the husband's surname; some join the two.
                maiden = b.surname
                roll = rng.random()
                if roll < 0.8:
                    b.surname = b.community.surname_of(a.surname, "F")
                elif roll < 0.87:
                    b.surname = f"{maiden}-{a.surname}"
                if b.surname != maiden and age_a < 40 and rng.random() < 0.3:
                    b.maiden = maiden  # married lately: older records have the maiden name
            return [a, b]

        def children(parents, n, low=0, high=17):
            father = parents[0]
            surname = father.surname if rng.random() < 0.85 else parents[-1].surname
            youngest_parent = min((TODAY - p.dob).days / 365.25 for p in parents)
            out = []
            k = 0
            while k < n:
                top = min(high, youngest_parent - 18)
                if top < low:
                    break
                sex = rng.choice("MF")
                pool = father.community.female if sex == "F" else father.community.male
                first = pool.draw(rng)
                while any(first == c.first for c in out):  # no two siblings share a name
                    first = pool.draw(rng)
                if sex == "M" and father.sex == "M" and k == 0 and rng.random() < 0.04:
                    first = father.first  # named after his father, at the same address
                child = self.person(father.community, sex,
                                    father.community.surname_of(surname, sex),
                                    self.birth(low, top), home, first)
                child.guardian = parents[rng.randrange(len(parents))]
                out.append(child)
                if rng.random() < 0.016:  # twins: 16 in 1,000 maternities
                    tsex = rng.choice("MF")
                    pool = child.community.female if tsex == "F" else child.community.male
                    twin_name = pool.draw(rng)
                    if rng.random() < 0.3:
                        for _ in range(30):
                            twin_name = pool.draw(rng)
                            if twin_name[0] == child.first[0] and twin_name != child.first:
                                break
                    while any(twin_name == c.first for c in out):
                        twin_name = pool.draw(rng)
                    twin = self.person(child.community, tsex,
                                       child.community.surname_of(surname, tsex), child.dob, home,
                                       twin_name)
                    twin.guardian = child.guardian
                    out.append(twin)
                    k += 1
                k += 1
            return out

        if kind < 0.30:  # one person, many of them older
            members = [adult(rng.choice("MF"), *rng.choice([(65, 95), (65, 95), (22, 64)]))]
        elif kind < 0.50:  # couple, no children at home
            members = couple(*rng.choice([(60, 88), (24, 59)]))
        elif kind < 0.68:  # couple with dependent children
            members = couple(26, 55)
            members += children(members, rng.choice([1, 1, 2, 2, 2, 3, 3, 4]))
        elif kind < 0.74:  # couple with grown-up children at home
            members = couple(45, 70)
            members += children(members, rng.choice([1, 1, 2]), 18, 30)
        elif kind < 0.82:  # lone parent with dependent children
            parent = adult("F" if rng.random() < 0.9 else "M", 20, 55)
            members = [parent] + children([parent], rng.choice([1, 1, 2, 2, 3]))
        elif kind < 0.86:  # lone parent with grown-up children
            parent = adult("F" if rng.random() < 0.8 else "M", 45, 80)
            members = [parent] + children([parent], rng.choice([1, 2]), 18, 35)
        elif kind < 0.93:  # three generations
            elders = couple(65, 90) if rng.random() < 0.6 else [adult(rng.choice("MF"), 65, 95)]
            middle = children(elders, 1, 30, 50)
            if middle:
                middle[0].guardian = None
                family = [middle[0]]
                if rng.random() < 0.7:
                    spouse = adult("F" if middle[0].sex == "M" else "M", 28, 50,
                                   surname=middle[0].surname if middle[0].sex == "M" else None)
                    family = [middle[0], spouse] if middle[0].sex == "M" else [spouse, middle[0]]
                members = elders + family + children(family, rng.choice([1, 2, 3]))
            else:
                members = elders
        else:  # shared house: unrelated adults
            members = [adult(rng.choice("MF"), 19, 40, community=self.by_share.draw(rng))
                       for _ in range(rng.randint(2, 5))]
        for p in members:
            self.contact(p)
        self.households.append((home, members))
        return members

    def life_events(self):
        """Moves: some households moved within the borough lately, and some young
        adults left home; older records hold the address they left."""
        rng = self.rng
        for home, members in self.households:
            if rng.random() < 0.12:
                old = rng.randrange(len(self.places.homes))
                for p in members:
                    p.old_home = old
            else:
                for p in members:
                    age = (TODAY - p.dob).days / 365.25
                    if 19 <= age <= 30 and p.guardian is None and rng.random() < 0.1:
                        # Grew up in another home of the borough.
                        p.old_home = rng.randrange(len(self.places.homes))


@dataclass
class System:
    name: str
    prefix: str
    # The chance that a person it would hold is in it.
    holds: object
    dob_kept: float
    phone_kept: float
    email_kept: float
    slips: float          # chance of a typing slip in each name
    nicknames: float
    old_address: float    # chance it still has the address a person left
    maiden: float         # chance it still has the maiden name
    duplicates: float     # chance a person is in it twice
    ascii_only: bool = False
    initial_only: float = 0.0
    dob_errors: float = 0.02
    guardian_contact: bool = False


def age(p):
    return (TODAY - p.dob).days / 365.25


def systems(households_on_benefit, liable, parking_homes):
    return [
        System("council_tax", "CT", lambda p: p.id in liable, 0.35, 0.55, 0.45, 0.01, 0.03,
               0.03, 0.15, 0.002, ascii_only=True, initial_only=0.05),
        System("electoral_register", "ER", lambda p: age(p) >= 18 and 0.85, 0.12, 0.05, 0.05,
               0.008, 0.0, 0.05, 0.1, 0.001),
        System("school_census", "SC", lambda p: 4 <= age(p) < 16 and 0.97, 1.0, 0.9, 0.8,
               0.01, 0.0, 0.03, 0.0, 0.002, dob_errors=0.005, guardian_contact=True),
        System("housing_benefit", "HB", lambda p: p.home in households_on_benefit, 0.97, 0.8, 0.5,
               0.015, 0.02, 0.15, 0.3, 0.01),
        System("adult_social_care", "AS",
               lambda p: (0.25 if age(p) >= 75 else 0.03 if age(p) >= 18 else 0), 0.99, 0.85, 0.2,
               0.02, 0.05, 0.2, 0.2, 0.01),
        System("library", "LB", lambda p: age(p) >= 5 and 0.22, 0.7, 0.5, 0.7, 0.04, 0.1, 0.5,
               0.6, 0.06, dob_errors=0.05, guardian_contact=True),
        System("parking_permits", "PP", lambda p: p.home in parking_homes and age(p) >= 18 and 0.7,
               0.4, 0.8, 0.85, 0.02, 0.08, 0.3, 0.3, 0.01, ascii_only=True),
    ]


def write_record(p, s, places, rng):
    first, surname = p.first, p.surname
    if p.maiden and rng.random() < s.maiden:
        surname = p.maiden
    if first in p.community.variants and rng.random() < 0.25:
        first = rng.choice(p.community.variants[first])
    if surname in p.community.variants and rng.random() < 0.2:
        surname = rng.choice(p.community.variants[surname])
    if first in NICKNAMES and rng.random() < s.nicknames:
        first = rng.choice(NICKNAMES[first])
    if rng.random() < s.slips:
        first = typo(first, rng)
    if rng.random() < s.slips:
        surname = typo(surname, rng)
    if "-" in surname and rng.random() < 0.3:
        surname = rng.choice(surname.split("-"))
    if rng.random() < s.initial_only:
        first = first[0]
    if s.ascii_only:
        first, surname = ascii_fold(first), ascii_fold(surname)

    dob = ""
    if rng.random() < s.dob_kept:
        d = p.dob
        roll = rng.random()
        if roll < s.dob_errors * 0.35 and d.day <= 12 and d.day != d.month:
            dob = f"{d.year:04}-{d.day:02}-{d.month:02}"  # day and month swapped
        elif roll < s.dob_errors * 0.6:
            slip = d + timedelta(days=rng.choice([-1, 1, 10, -10]))
            dob = slip.isoformat()
        elif roll < s.dob_errors * 0.8:
            dob = f"{d.year + rng.choice([-1, 1]):04}-{d.month:02}-{d.day:02}"
        elif roll < s.dob_errors * 0.9:
            dob = f"{d.year:04}-01-01"  # only the year was known
        elif roll < s.dob_errors:
            dob = "1900-01-01"  # the placeholder a form would not go past without
        else:
            dob = d.isoformat()

    home = p.old_home if p.old_home is not None and rng.random() < s.old_address else p.home
    a = places.homes[home]
    line1, postcode = a.line1, a.postcode
    if rng.random() < 0.1:
        line1 = (line1.replace(" Road", " Rd").replace(" Street", " St")
                 .replace(" Avenue", " Ave").replace("Flat ", "Flat"))
    if line1.startswith("Flat") and rng.random() < 0.08:
        line1 = line1.split(", ", 1)[-1]  # the flat number left out
    if rng.random() < 0.03:
        postcode = ""
    elif rng.random() < 0.08:
        postcode = postcode.replace(" ", "")
    elif rng.random() < 0.01:
        postcode = typo(postcode, rng)
    if rng.random() < 0.01:
        line1 = typo(line1, rng)

    who = p.guardian if s.guardian_contact and p.guardian and age(p) < 16 else p
    phone = ""
    if rng.random() < s.phone_kept:
        phone = who.mobile or a.landline or ""
        if who.mobile and a.landline and rng.random() < 0.3:
            phone = a.landline
        if phone and rng.random() < 0.3:
            digits = phone.replace(" ", "")
            phone = rng.choice([f"+44 {digits[1:5]} {digits[5:]}", f"{digits[:5]} {digits[5:]}",
                                digits])
    email = (who.email or "") if rng.random() < s.email_kept else ""
    if email and rng.random() < 0.05:
        email = email.capitalize()
    return [first, surname, dob, postcode, line1, email, phone]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("records", type=int)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    population = Population(rng)
    # About 1.9 records a person in these systems.
    while len(population.people) < args.records / 1.9:
        population.household()
    population.life_events()

    on_benefit = {home for home, members in population.households
                  if rng.random() < (0.3 if any(age(m) < 16 for m in members)
                                     and len([m for m in members if age(m) >= 18]) == 1
                                     else 0.08)}
    liable, parking_homes = set(), set()
    for home, members in population.households:
        adults = [m for m in members if age(m) >= 18]
        adults.sort(key=lambda m: m.dob)
        for m in adults[:rng.choice([1, 2, 2])]:
            liable.add(m.id)
        if rng.random() < 0.35:
            parking_homes.add(home)

    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "truth.csv"), "w", newline="") as t:
        truth = csv.writer(t)
        truth.writerow(["source", "record_id", "person_id"])
        written = 0
        for s in systems(on_benefit, liable, parking_homes):
            with open(os.path.join(args.out_dir, f"{s.name}.csv"), "w", newline="") as f:
                out = csv.writer(f)
                out.writerow(["record_id", "first_name", "surname", "date_of_birth", "postcode",
                              "address_line1", "email", "phone"])
                rows = []
                for p in population.people:
                    chance = s.holds(p)
                    if chance is True or (chance and rng.random() < chance):
                        rows.append(p)
                        if rng.random() < s.duplicates:
                            rows.append(p)
                rng.shuffle(rows)
                for p in rows:
                    record_id = f"{s.prefix}{written:08}"
                    out.writerow([record_id] + write_record(p, s, population.places, rng))
                    truth.writerow([s.name, record_id, p.id])
                    written += 1
    print(f"{written} records of {len(population.people)} people "
          f"in {len(population.households)} households, in {args.out_dir}")


if __name__ == "__main__":
    main()
