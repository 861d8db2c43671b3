"""Built-in word lists for the demo chain: departments, categories, makers, stores, names.

Category lines are `Name` with optional marks: `*` sold by weight (quantity in lb),
`!` a staple that most households buy.
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CHAIN_NAME = "Prairie Fresh Market"
STORE_MANUFACTURER = ("STORE", "Prairie Fresh Market (store brand)")
STORE_BRANDS = ("Prairie Pick", "Prairie Select")


@dataclass(frozen=True)
class Department:
    """Defaults for the categories of a department (prices in dollars, cycles in days)."""

    name: str
    categories: str
    price: tuple[float, float]
    cycle: tuple[float, float]
    popularity: float
    store_strength: float
    makers: int


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Produce",
        """Bananas*! Apples*! Oranges* Grapes* Strawberries Blueberries Raspberries
        Lemons Limes Avocados Tomatoes*! Potatoes*! Onions*! Carrots Lettuce Bagged-Salad
        Salad-Kits Spinach Broccoli* Cucumbers Bell-Peppers* Mushrooms Celery
        Sweet-Potatoes* Melons Pears* Fresh-Herbs Garlic Corn-on-the-Cob Green-Beans*
        Cut-Fruit Peaches* Cabbage*""",
        (0.79, 4.49),
        (6, 18),
        0.30,
        0.55,
        2,
    ),
    Department(
        "Dairy",
        """Milk! Organic-Milk Plant-Milk Eggs! Butter Margarine Shredded-Cheese!
        Sliced-Cheese Block-Cheese Cream-Cheese Cottage-Cheese Sour-Cream Yogurt!
        Greek-Yogurt Drinkable-Yogurt Coffee-Creamer Heavy-Cream Half-and-Half
        Refrigerated-Dough Pudding-Cups String-Cheese Chip-Dip""",
        (1.29, 5.99),
        (6, 24),
        0.30,
        0.50,
        4,
    ),
    Department(
        "Meat & Seafood",
        """Ground-Beef*! Steaks* Chicken-Breasts*! Chicken-Thighs* Whole-Chicken*
        Pork-Chops* Pork-Roast* Bacon Breakfast-Sausage Hot-Dogs Smoked-Sausage
        Ground-Turkey* Salmon* Shrimp Tilapia* Beef-Roast* Bratwurst""",
        (3.49, 12.99),
        (9, 30),
        0.20,
        0.30,
        4,
    ),
    Department(
        "Deli",
        """Deli-Ham Deli-Turkey Lunch-Meat Rotisserie-Chicken Deli-Salads Hummus
        Fresh-Pasta Prepared-Meals Specialty-Cheese Olives Fried-Chicken""",
        (2.99, 8.99),
        (10, 35),
        0.12,
        0.45,
        3,
    ),
    Department(
        "Bakery",
        """Sandwich-Bread! Wheat-Bread Buns-and-Rolls Bagels English-Muffins Tortillas
        Muffins Donuts Cakes Bakery-Cookies Pies Croissants Dinner-Rolls""",
        (1.99, 6.99),
        (7, 21),
        0.22,
        0.50,
        4,
    ),
    Department(
        "Frozen",
        """Frozen-Pizza Frozen-Vegetables Frozen-Fruit Ice-Cream Frozen-Novelties
        Frozen-Dinners Frozen-Breakfast Frozen-French-Fries Frozen-Chicken
        Frozen-Fish Frozen-Appetizers Frozen-Waffles Frozen-Pies Frozen-Burritos
        Frozen-Meatballs Frozen-Lasagna""",
        (2.49, 8.99),
        (12, 40),
        0.14,
        0.35,
        5,
    ),
    Department(
        "Grocery",
        """Ketchup Mustard Mayonnaise Salad-Dressing BBQ-Sauce Hot-Sauce Pickles Pasta!
        Pasta-Sauce Rice Dry-Beans Canned-Beans Canned-Vegetables! Canned-Fruit
        Canned-Tomatoes Canned-Soup! Broth Canned-Tuna Canned-Chicken Peanut-Butter
        Jelly-and-Jam Honey Pancake-Syrup Cold-Cereal! Oatmeal Pancake-Mix Flour Sugar
        Cake-Mix Frosting Baking-Chips Baking-Soda Spices Salt Pepper Cooking-Oil
        Olive-Oil Vinegar Mac-and-Cheese Instant-Noodles Taco-Kits Salsa Gravy-Mix
        Stuffing-Mix Boxed-Potatoes Ground-Coffee! Coffee-Pods Tea Hot-Cocoa
        Bread-Crumbs Croutons Gelatin Evaporated-Milk Applesauce Raisins""",
        (0.99, 6.99),
        (21, 90),
        0.13,
        0.50,
        8,
    ),
    Department(
        "Beverages",
        """Soda! Diet-Soda Bottled-Water! Sparkling-Water Sports-Drinks Energy-Drinks
        Orange-Juice Apple-Juice Juice-Drinks Iced-Tea Lemonade Drink-Mixes Beer Wine
        Cold-Brew-Coffee Kombucha""",
        (1.99, 9.99),
        (7, 30),
        0.16,
        0.30,
        5,
    ),
    Department(
        "Snacks",
        """Potato-Chips! Tortilla-Chips Pretzels Popcorn Crackers! Cookies Candy-Bars
        Gummy-Candy Nuts Trail-Mix Granola-Bars Fruit-Snacks Beef-Jerky Snack-Cakes
        Cheese-Puffs Rice-Cakes Mints Chewing-Gum""",
        (1.49, 5.99),
        (10, 35),
        0.16,
        0.30,
        6,
    ),
    Department(
        "Household",
        """Laundry-Detergent! Fabric-Softener Dryer-Sheets Bleach Dish-Soap!
        Dishwasher-Detergent Paper-Towels! Toilet-Paper! Facial-Tissue Trash-Bags!
        Food-Storage-Bags Aluminum-Foil Plastic-Wrap All-Purpose-Cleaner Glass-Cleaner
        Sponges Air-Fresheners Light-Bulbs Batteries Paper-Plates Charcoal
        Disinfecting-Wipes Bug-Spray""",
        (2.49, 14.99),
        (28, 90),
        0.14,
        0.50,
        5,
    ),
    Department(
        "Health & Beauty",
        """Shampoo Conditioner Body-Wash Bar-Soap Deodorant Toothpaste! Toothbrushes
        Mouthwash Razors Shaving-Cream Lotion Sunscreen Pain-Relief Cold-and-Flu Allergy
        Vitamins Bandages Cotton-Swabs Feminine-Care Lip-Balm Hair-Color Antacids""",
        (2.99, 12.99),
        (30, 120),
        0.08,
        0.35,
        5,
    ),
    Department(
        "Baby",
        """Diapers Baby-Wipes Infant-Formula Baby-Food-Jars Baby-Cereal Baby-Snacks
        Baby-Shampoo Diaper-Cream Toddler-Drinks Baby-Bottles Training-Pants""",
        (3.99, 32.99),
        (7, 28),
        0.55,
        0.30,
        4,
    ),
    Department(
        "Pet",
        """Dry-Dog-Food Wet-Dog-Food Dog-Treats Dog-Chews Dry-Cat-Food Wet-Cat-Food
        Cat-Treats Cat-Litter Pet-Toys Flea-and-Tick Bird-Seed Small-Animal-Food""",
        (2.99, 29.99),
        (12, 45),
        0.50,
        0.25,
        4,
    ),
)

# National-brand makers: (code, brand, departments they make).
MANUFACTURERS: tuple[tuple[str, str, str], ...] = (
    ("GOLDENACRE", "Golden Acre", "Produce Grocery Frozen"),
    ("SUNVALLEY", "Sun Valley", "Produce Beverages Frozen"),
    ("FRESHFIELD", "Freshfield", "Produce Deli Dairy"),
    ("ORCHARDHILL", "Orchard Hill", "Produce Beverages Snacks"),
    ("MEADOWBROOK", "Meadowbrook", "Dairy Deli"),
    ("PRAIRIECOW", "Prairie Cow", "Dairy Frozen"),
    ("NORTHSTAR", "North Star", "Dairy Frozen Bakery"),
    ("CLOVERLEAF", "Cloverleaf", "Dairy Snacks"),
    ("BIGSKY", "Big Sky", "Meat & Seafood Deli"),
    ("REDBARN", "Red Barn", "Meat & Seafood Deli Frozen"),
    ("TIDEWATER", "Tidewater", "Meat & Seafood Frozen"),
    ("HICKORYHILL", "Hickory Hill", "Meat & Seafood Grocery Snacks"),
    ("MILLHOUSE", "Millhouse", "Bakery Grocery"),
    ("HEARTHSTONE", "Hearthstone", "Bakery Frozen Snacks"),
    ("SUNRISE", "Sunrise", "Bakery Grocery Beverages"),
    ("POLARPEAK", "Polar Peak", "Frozen Beverages"),
    ("CASABELLA", "Casa Bella", "Frozen Grocery Deli"),
    ("HOMESTYLE", "Homestyle", "Frozen Grocery Bakery"),
    ("PANTRYPRIDE", "Pantry Pride", "Grocery"),
    ("HEARTLAND", "Heartland", "Grocery Snacks"),
    ("SILVERSPOON", "Silver Spoon", "Grocery Bakery"),
    ("ROYALMILL", "Royal Mill", "Grocery"),
    ("LAKESHORE", "Lakeshore", "Grocery Beverages"),
    ("TRAILBLAZER", "Trailblazer", "Snacks Beverages"),
    ("CRUNCHCO", "Crunch Co", "Snacks"),
    ("FIZZWELL", "Fizzwell", "Beverages"),
    ("CLEARSPRING", "Clear Spring", "Beverages"),
    ("BRIGHTHOME", "Brighthome", "Household"),
    ("SPARKLECLEAN", "Sparkle Clean", "Household"),
    ("EVERSOFT", "Eversoft", "Household Health & Beauty Baby"),
    ("TRUEGUARD", "Trueguard", "Household Health & Beauty"),
    ("PUREBLOOM", "Purebloom", "Health & Beauty"),
    ("VITALIS", "Vitalis", "Health & Beauty"),
    ("SMILEBRIGHT", "Smilebright", "Health & Beauty"),
    ("TINYSTEPS", "Tiny Steps", "Baby"),
    ("CUDDLEBUG", "Cuddlebug", "Baby"),
    ("LITTLESPROUT", "Little Sprout", "Baby Produce"),
    ("HAPPYPAWS", "Happy Paws", "Pet"),
    ("WHISKERWAY", "Whisker Way", "Pet"),
    ("FIELDHOUND", "Field Hound", "Pet"),
    ("FEATHERFRIEND", "Feather Friend", "Pet"),
)

# Stores of the chain: (code, town, relative size, area code, postal codes around it).
STORES: tuple[tuple[str, str, float, str, str], ...] = (
    ("S01", "Ames", 1.6, "515", "50010 50011 50014 50201"),
    ("S02", "Boone", 1.0, "515", "50036 50040 50223"),
    ("S03", "Marshalltown", 1.3, "641", "50158 50141 50106"),
    ("S04", "Newton", 1.1, "641", "50208 50251 50137"),
    ("S05", "Grinnell", 0.7, "641", "50112 50157 50171"),
    ("S06", "Pella", 0.8, "641", "50219 50225 50138"),
    ("S07", "Knoxville", 0.6, "641", "50138 50163 50062"),
    ("S08", "Oskaloosa", 0.9, "641", "52577 52561 52543"),
)

FIRST_NAMES = _words(
    """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William
Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy
Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Paul Emily Andrew
Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie
Jose Maria Luis Ana Carlos Rosa Emma Olivia Noah Liam Ava Ethan Sophia Mason Grace Logan
Chloe Tyler Hannah Dylan Abigail Caleb Megan Luke Brooke Wyatt Kayla"""
)

LAST_NAMES = _words(
    """Smith Johnson Williams Brown Jones Miller Davis Garcia Rodriguez Wilson Martinez
Anderson Taylor Thomas Hernandez Moore Martin Jackson Thompson White Lopez Lee Gonzalez Harris
Clark Lewis Robinson Walker Perez Hall Young Allen Sanchez Wright King Scott Green Baker Adams
Nelson Hill Ramirez Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker
Collins Edwards Stewart Flores Morris Nguyen Murphy Rivera Cook Rogers Morgan Peterson Cooper
Reed Bailey Bell Gomez Kelly Howard Ward Cox Diaz Richardson Wood Watson Brooks Bennett Gray
Olson Larson Schmidt Hansen Jensen Schultz Meyer Weber Koch Becker Vogel Lindgren"""
)

EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "mchsi.com")


def category_table() -> list[tuple[str, str, bool, bool]]:
    """Return (department, category, sold by weight, staple) for every category."""
    rows = []
    for dept in DEPARTMENTS:
        for token in dept.categories.split():
            weighed = "*" in token
            staple = "!" in token
            name = token.strip("*!").replace("-", " ")
            rows.append((dept.name, name, weighed, staple))
    return rows


_MAKER_SUFFIX = {
    "Produce": "Farms",
    "Dairy": "Dairy",
    "Meat & Seafood": "Meats",
    "Bakery": "Baking Co.",
    "Frozen": "Foods",
    "Grocery": "Foods",
    "Beverages": "Beverage Co.",
    "Snacks": "Snacks",
    "Household": "Home Care",
    "Health & Beauty": "Personal Care",
    "Baby": "Baby Care",
    "Pet": "Pet Nutrition",
}


def manufacturer_names() -> dict[str, str]:
    """Return a display name per manufacturer code (the CSV carries only the codes)."""
    names = {STORE_MANUFACTURER[0]: STORE_MANUFACTURER[1]}
    for code, brand, depts in MANUFACTURERS:
        first = next(d for d in _MAKER_SUFFIX if depts.startswith(d))
        names[code] = f"{brand} {_MAKER_SUFFIX[first]}"
    return names
