//! Word lists for fictional people and places. All names are common British
//! names; any resemblance of a combination to a real person is chance.

pub const GIVEN: &[&str] = &[
    "Oliver", "Amelia", "George", "Olivia", "Harry", "Isla", "Noah", "Ava", "Jack", "Mia",
    "Leo", "Ivy", "Arthur", "Lily", "Muhammad", "Isabella", "Oscar", "Rosie", "Charlie", "Sophia",
    "Jacob", "Grace", "Thomas", "Freya", "Henry", "Florence", "William", "Evie", "James", "Poppy",
    "Margaret", "David", "Susan", "John", "Patricia", "Michael", "Elizabeth", "Peter", "Janet", "Robert",
    "Aisha", "Priya", "Kwame", "Zainab", "Tomasz", "Agnieszka", "Chloe", "Ryan", "Hannah", "Daniel",
    "Fatima", "Yusuf", "Siobhan", "Connor", "Megan", "Rhys", "Bethan", "Callum", "Niamh", "Omar",
];

pub const FAMILY: &[&str] = &[
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
    "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
    "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
    "Khan", "Ahmed", "Begum", "Hussain", "Ali", "Singh", "Kaur", "Nowak", "Kowalski", "Okafor",
    "Mensah", "O'Brien", "Murphy", "Kelly", "Campbell", "Stewart", "MacDonald", "Chen", "Nguyen", "Shah",
];

pub const STREETS: &[&str] = &[
    "Mill", "Church", "Station", "Victoria", "Park", "Queen's", "Kingfisher", "Willow", "Orchard", "Meadow",
    "Riverside", "Bridge", "Elm", "Oak", "Ash", "Chestnut", "Beech", "Holly", "Hawthorn", "Rowan",
    "Albert", "Alexandra", "Windsor", "York", "Clarence", "Wharf", "Lock", "Weaver", "Tanner", "Cooper's",
    "Foundry", "Canal", "Heron", "Swan", "Otter", "Badger", "Fox", "Lark", "Primrose", "Bluebell",
];

pub const STREET_KINDS: &[&str] = &["Street", "Road", "Lane", "Avenue", "Close", "Way", "Gardens", "Crescent", "Drive", "Terrace"];

pub const WARDS: &[&str] = &[
    "Northgate", "Kingsmead", "Abbey Fields", "Millbrook",
    "Castle", "Riverside Central", "Wharfside", "St Anne's",
    "Southfield", "Hollins", "Brookvale", "Fenwick",
];

/// (parish name, index of the ward cell it covers)
pub const PARISHES: &[(&str, usize)] = &[("Northgate Parish", 0), ("Kingsmead Parish", 1), ("Fenwick Parish", 11)];

pub const TEAMS: &[&str] = &[
    "Waste and Recycling", "Highways", "Parking", "Housing", "Early Help", "Adult Social Care", "Customer Services",
];
