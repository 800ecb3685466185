"""Write models/tagger_vocabulary.json: the photo tags the ImageNet tagger's 1000 classes map to.

ImageNet names are not what people tag photos with ("Egyptian cat", "espresso", "wing"), so every
class maps to one tag of a small hierarchical vocabulary ("Animals/Cat", "Food/Coffee",
"Vehicles/Aircraft") or to nothing. ImageNet class i is the WordNet noun synset with the i-th
smallest id, so WordNet's hypernyms place most classes automatically (everything under dog.n.01 is
"Animals/Dog"); a hand-written table places the rest and overrides where WordNet's taxonomy is not
what a photo is of (a "car wheel" photo is a car, a "pot" is a flowerpot).
No model tag sits under a root the photo's own facts use (Places, Dates, Events, Time of day,
Seasons, from its GPS and capture time): what the classifier sees of a place is a "Scenes" tag.

Sources (both fetched with their ordinary clients, nothing is downloaded at run time):
- the 1000 wnids in class order: timm's wheel (Apache-2.0), `timm/data/_info/imagenet_synsets.txt`;
- WordNet 3.0 (WordNet licence): Debian's `wordnet-base`, /usr/share/wordnet/data.noun.

    apt-get install -y wordnet-base
    pip download --no-deps timm==1.0.31 -d models/work
    .venv-models/bin/python models/build_vocabulary.py models/work/timm-1.0.31-py3-none-any.whl

The object detector's 80 COCO classes map the same way, by hand (COCO_TABLE, read with
models/coco_labels.txt), each with the score a detection needs to count.

The app never runs this; it reads the JSON (photo_tagger/vision/vocabulary.py). Output shape:
    {"version": "3",
     "default_threshold": float,            # for tags the vocabulary does not know (user tags)
     "tags": {path: {"threshold": float, "classes": int, "objects": int}},  # every node,
                                        # ancestors included; "objects" only where one maps
     "classes": [[tag or null, weight, wnid, imagenet name], ...],  # 1000, in model output order
     "objects": [[tag or null, score to count, coco name], ...]}    # 80, in the detector's order
A tag's score is the weighted sum of the probabilities of the classes mapped to it or to any of its
descendants, capped at 1.0; the last two fields of a class row are for people and checks.
"""

from __future__ import annotations

import argparse
import json
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
LABELS = MODELS_DIR / "imagenet_labels.txt"
COCO_LABELS = MODELS_DIR / "coco_labels.txt"
OUT = MODELS_DIR / "tagger_vocabulary.json"
WORDNET_DIR = Path("/usr/share/wordnet")
WORDNET_COPYRIGHT = Path("/usr/share/doc/wordnet-base/copyright")
VERSION = "3"

# torchvision's names that are not a lemma of their synset: it renamed two duplicate names.
RENAMED = {"crane bird": "crane", "maillot tank suit": "maillot"}

# Ordered WordNet rules: a class takes the tag of the first rule whose synset is the class itself or
# one of its hypernyms (all paths). More specific rules come first. (wnid, lemma for the check, tag)
HYPERNYM_RULES: list[tuple[str, str, str]] = [
    # Animals
    ("n02121808", "domestic_cat", "Animals/Cat"),
    ("n02124623", "wildcat", "Animals/Wild Cat"),
    ("n02084071", "dog", "Animals/Dog"),
    # dingo, dhole, African hunting dog: they look like dogs, and the model says "dingo" for
    # many yellow pet dogs.
    ("n02115335", "wild_dog", "Animals/Dog"),
    ("n02114100", "wolf", "Animals/Wolf"),
    ("n02118333", "fox", "Animals/Fox"),
    ("n02131653", "bear", "Animals/Bear"),
    ("n02503517", "elephant", "Animals/Elephant"),
    ("n02374451", "horse", "Animals/Horse"),
    ("n02395003", "swine", "Animals/Pig"),
    ("n02419796", "antelope", "Animals/Antelope"),
    ("n02062430", "cetacean", "Animals/Whale"),
    ("n02075927", "pinniped_mammal", "Animals/Seal"),
    ("n02323902", "leporid", "Animals/Rabbit"),
    ("n02355227", "squirrel", "Animals/Rodent/Squirrel"),
    ("n02329401", "rodent", "Animals/Rodent"),
    ("n02484322", "monkey", "Animals/Primate/Monkey"),
    ("n02470325", "ape", "Animals/Primate/Ape"),
    ("n02469914", "primate", "Animals/Primate"),
    ("n01482330", "shark", "Animals/Fish/Shark"),
    ("n02512053", "fish", "Animals/Fish"),
    ("n01816887", "parrot", "Animals/Bird/Parrot"),
    ("n01621127", "owl", "Animals/Bird/Owl"),
    ("n02055803", "penguin", "Animals/Bird/Penguin"),
    ("n01846331", "duck", "Animals/Bird/Duck"),
    ("n01503061", "bird", "Animals/Bird"),
    ("n01662784", "turtle", "Animals/Reptile/Turtle"),
    ("n01674464", "lizard", "Animals/Reptile/Lizard"),
    ("n01726692", "snake", "Animals/Reptile/Snake"),
    ("n01696633", "crocodilian_reptile", "Animals/Reptile/Crocodile"),
    ("n01639765", "frog", "Animals/Amphibian/Frog"),
    ("n01627424", "amphibian", "Animals/Amphibian"),
    ("n02274259", "butterfly", "Animals/Insect/Butterfly"),
    ("n02206856", "bee", "Animals/Insect/Bee"),
    ("n02164464", "beetle", "Animals/Insect/Beetle"),
    ("n02268148", "odonate", "Animals/Insect/Dragonfly"),
    ("n02159955", "insect", "Animals/Insect"),
    ("n01772222", "spider", "Animals/Spider"),
    ("n01976957", "crab", "Animals/Crab"),
    ("n01982650", "lobster", "Animals/Lobster"),
    ("n01909422", "coelenterate", "Animals/Sea Life"),
    ("n02316707", "echinoderm", "Animals/Sea Life"),
    ("n01942177", "gastropod", "Animals/Snail"),
    ("n00015388", "animal", "Animals"),
    # Food
    ("n07705931", "edible_fruit", "Food/Fruit"),
    ("n07707451", "vegetable", "Food/Vegetable"),
    ("n07679356", "bread", "Food/Bread"),
    ("n07611358", "frozen_dessert", "Food/Dessert/Ice Cream"),
    ("n07609840", "dessert", "Food/Dessert"),
    ("n00021265", "food", "Food"),
    # Vehicles
    ("n02958343", "car", "Vehicles/Car"),
    ("n02959942", "railcar", "Vehicles/Train"),
    ("n03684823", "locomotive", "Vehicles/Train"),
    ("n04468005", "train", "Vehicles/Train"),
    ("n04490091", "truck", "Vehicles/Truck"),
    ("n02924116", "bus", "Vehicles/Bus"),
    ("n03790512", "motorcycle", "Vehicles/Motorcycle"),
    ("n02834778", "bicycle", "Vehicles/Bicycle"),
    ("n04128837", "sailing_vessel", "Vehicles/Boat/Sailboat"),
    ("n04194289", "ship", "Vehicles/Boat/Ship"),
    ("n02858304", "boat", "Vehicles/Boat"),
    ("n02686568", "aircraft", "Vehicles/Aircraft"),
    ("n04524313", "vehicle", "Vehicles"),
    # Music
    ("n03467517", "guitar", "Music/Guitar"),
    ("n03928116", "piano", "Music/Piano"),
    ("n03800933", "musical_instrument", "Music"),
    # Clothing
    ("n04371563", "swimsuit", "Clothing/Swimwear"),
    ("n03815615", "necktie", "Clothing/Tie"),
    ("n04230808", "skirt", "Clothing/Dress"),
    ("n03502509", "headdress", "Clothing/Hat"),
    ("n03380867", "footwear", "Clothing/Shoes"),
    ("n03051540", "clothing", "Clothing"),
    # Objects
    ("n03001627", "chair", "Objects/Furniture/Chair"),
    ("n04379243", "table", "Objects/Furniture/Table"),
    ("n02766320", "baby_bed", "Objects/Furniture/Bed"),
    ("n02818832", "bed", "Objects/Furniture/Bed"),
    ("n04256520", "sofa", "Objects/Furniture/Sofa"),
    ("n03405725", "furniture", "Objects/Furniture"),
    ("n03082979", "computer", "Objects/Electronics/Computer"),
    ("n04401088", "telephone", "Objects/Electronics/Phone"),
    ("n02942699", "camera", "Objects/Electronics/Camera"),
    ("n03046257", "clock", "Objects/Clock"),
    ("n04555897", "watch", "Objects/Watch"),
    ("n04565375", "weapon", "Objects/Weapon"),
    ("n02739668", "armor", "Objects/Weapon"),
    ("n03620052", "kitchen_appliance", "Objects/Kitchen"),
    ("n03101986", "cooking_utensil", "Objects/Kitchen"),
    ("n03528263", "home_appliance", "Objects/Appliance"),
    ("n04451818", "tool", "Objects/Tool"),
    ("n04447443", "toiletry", "Objects/Cosmetics"),
    ("n02773037", "bag", "Objects/Bag"),
    # Scenes: what kind of place a photo shows (its own Places, Dates and Events are facts)
    ("n04202417", "shop", "Scenes/Shop"),
    ("n02898711", "bridge", "Scenes/Bridge"),
    # Nature
    ("n12992868", "fungus", "Nature/Mushroom"),
    ("n11669921", "flower", "Nature/Flower"),
]

# Hand-placed classes, by their name in imagenet_labels.txt. These win over HYPERNYM_RULES.
# "tag": "name; name; ..." ; a name may carry a weight as "name*0.5" (weak evidence for the tag).
CLASS_TABLE: dict[str, str] = {
    # Animals the hypernyms would put too broadly or oddly
    "Animals/Wild Cat/Lion": "lion",
    "Animals/Wild Cat/Tiger": "tiger",
    "Animals/Wild Cat/Leopard": "leopard; snow leopard; jaguar",
    "Animals/Wild Cat/Cheetah": "cheetah",
    "Animals/Elephant": "tusker",
    "Animals/Zebra": "zebra",
    "Animals/Cow": "ox; water buffalo; bison",
    "Animals/Sheep": "ram; bighorn",
    "Animals/Goat": "ibex",
    "Animals/Camel": "Arabian camel; llama",
    "Animals/Hippo": "hippopotamus",
    "Animals/Panda": "giant panda; lesser panda",
    "Animals/Kangaroo": "wallaby",
    "Animals/Koala": "koala",
    "Animals/Otter": "otter",
    "Animals/Rodent/Hamster": "hamster",
    "Animals/Rodent/Guinea Pig": "guinea pig",
    "Animals/Bird/Eagle": "bald eagle",
    "Animals/Bird/Chicken": "cock; hen",
    "Animals/Bird/Peacock": "peacock",
    "Animals/Bird/Flamingo": "flamingo",
    "Animals/Bird/Hummingbird": "hummingbird",
    "Animals/Bird/Swan": "black swan",
    "Animals/Bird/Goose": "goose",
    "Animals/Fish/Goldfish": "goldfish",
    "Animals/Spider": "harvestman; spider web",
    "Animals/Crab": "hermit crab",
    "Animals/Lobster": "crayfish",
    "Animals/Sea Life/Jellyfish": "jellyfish",
    "Animals/Sea Life/Starfish": "starfish",
    "Animals/Sea Life": "sea slug; chiton; chambered nautilus; conch",
    "Animals/Insect/Ladybug": "ladybug",
    "Animals/Insect/Bee": "apiary",
    "Animals/Dinosaur": "triceratops",
    # Food and drink
    "Food/Fruit/Orange": "orange",
    "Food/Fruit/Lemon": "lemon",
    "Food/Fruit/Apple": "Granny Smith",
    "Food/Fruit/Banana": "banana",
    "Food/Fruit/Strawberry": "strawberry",
    "Food/Fruit/Pineapple": "pineapple",
    "Food/Vegetable": "corn; ear",
    "Food/Pizza": "pizza",
    "Food/Burger": "cheeseburger",
    "Food/Hot Dog": "hotdog",
    "Food/Pasta": "carbonara",
    "Food/Soup": "consomme; hot pot",
    "Food/Dessert": "chocolate sauce",
    "Food": "meat loaf; mashed potato",
    # A coffee photo is as often a mug or the machine as a cup of espresso.
    "Food/Coffee": "espresso; coffee mug; espresso maker; coffeepot",
    "Food/Drink/Tea": "teapot",
    "Food/Drink/Wine": "red wine; wine bottle; goblet",
    "Food/Drink/Beer": "beer bottle; beer glass",
    "Food/Drink": "cup; eggnog; cocktail shaker; pop bottle; whiskey jug",
    # Vehicles
    "Vehicles/Car": "grille; car wheel; car mirror; seat belt; odometer",
    "Vehicles/Motorcycle": "motor scooter; crash helmet*0.5",
    "Vehicles/Bicycle": "tricycle; unicycle",
    "Vehicles/Train": "streetcar",
    "Vehicles/Boat/Sailboat": "yawl",
    "Vehicles/Boat": "paddle; paddlewheel",
    "Vehicles/Aircraft": "wing",
    "Vehicles/Aircraft/Balloon": "balloon",
    "Vehicles/Rocket": "space shuttle; missile; projectile",
    "Vehicles/Tractor": "tractor; harvester; thresher; plow",
    "Vehicles/Camper": "recreational vehicle; mobile home",
    "Vehicles/Cart": "horse cart; oxcart; jinrikisha",
    "Vehicles": "crane; disk brake; gas pump",
    # Sports
    "Sports/Soccer": "soccer ball",
    "Sports/Basketball": "basketball",
    "Sports/Volleyball": "volleyball",
    "Sports/Tennis": "tennis ball; racket",
    "Sports/Baseball": "baseball; ballplayer",
    "Sports/Golf": "golf ball",
    "Sports/Rugby": "rugby ball",
    "Sports/American Football": "football helmet",
    "Sports/Hockey": "puck",
    "Sports/Table Tennis": "ping-pong ball",
    "Sports/Gymnastics": "balance beam; horizontal bar; parallel bars",
    "Sports/Fitness": "barbell; dumbbell",
    "Sports/Boxing": "punching bag",
    "Sports/Skiing": "ski; ski mask",
    "Sports/Diving": "scuba diver; snorkel",
    "Sports/Billiards": "pool table",
    "Sports/Archery": "bow",
    "Sports/Skydiving": "parachute",
    "Sports": "croquet ball; scoreboard; knee pad",
    # Occasions the classifier recognises by an object: scenes too, never the Events of facts
    "Scenes/Christmas": "Christmas stocking",
    "Scenes/Halloween": "jack-o'-lantern",
    "Scenes/Graduation": "mortarboard; academic gown",
    # Clothing
    "Clothing/Dress": "gown",
    "Clothing/Coat": "fur coat; trench coat; lab coat; poncho; cloak",
    "Clothing/Jeans": "jean",
    "Clothing/T-Shirt": "jersey",
    # ImageNet's "groom" is any man in a suit: calling those photos weddings would be wrong.
    "Clothing/Suit": "suit; groom",
    "Clothing/Uniform": "military uniform",
    "Clothing/Sunglasses": "sunglasses; sunglass",
    "Clothing/Jewelry": "necklace; hair slide",
    "Clothing/Scarf": "feather boa; stole",
    "Clothing": "sock; maillot; bib",
    # Music
    "Music/Drum": "drum; steel drum; drumstick",
    "Music/Violin": "violin; cello",
    "Music/Piano": "organ",
    "Music/Guitar": "banjo",
    "Music": "microphone",
    # Objects
    "Objects/Electronics/Computer": "computer keyboard; mouse; monitor; screen; space bar; "
    "typewriter keyboard; printer; modem; hard disc; joystick",
    "Objects/Electronics/Television": "television; entertainment center; remote control",
    "Objects/Electronics/Camera": "lens cap; tripod",
    "Objects/Electronics": "iPod; CD player; cassette player; tape player; radio; loudspeaker; "
    "cassette; projector; oscilloscope; photocopier",
    "Objects/Clock": "hourglass; sundial",
    "Objects/Watch": "stopwatch",
    "Objects/Book": "book jacket; comic book",
    "Objects/Toy": "teddy; piggy bank; pinwheel",
    "Objects/Kitchen": "ladle; wooden spoon; mixing bowl; soup bowl; measuring cup; strainer; "
    "mortar; plate rack; tray; saltshaker; can opener; corkscrew; cleaver; pitcher; stove",
    "Objects/Bathroom": "bathtub; tub; shower curtain; shower cap; toilet seat; toilet tissue; "
    "washbasin; soap dispenser; bath towel",
    "Objects/Lamp": "table lamp; lampshade; torch",
    "Objects/Furniture": "chest",
    "Objects/Furniture/Table": "dining table",
    "Objects/Bottle": "water bottle; water jug; pill bottle",
    "Objects/Umbrella": "umbrella",
    "Objects/Bag": "wallet; hamper; shopping basket",
    "Objects/Medical": "stethoscope; syringe; Band Aid; neck brace; crutch; oxygen mask; stretcher",
    "Objects/Office": "ballpoint; fountain pen; quill; pencil sharpener; rubber eraser; "
    "letter opener; pencil box; binder; slide rule; abacus; rule; paintbrush",
    "Objects/Tool": "carpenter's kit; nail; screw; combination lock; padlock; broom; swab; scale; "
    "barrow",
    "Objects/Weapon": "holster; scabbard; guillotine; breastplate; pickelhaube",
    "Objects/Flag": "flagpole",
    "Objects/Appliance": "electric fan; space heater; hand blower",
    "Objects": "barrel; bucket; ashcan; carton; crate; packet; safe; milk can; vase; beaker; "
    "shopping cart; "
    "plastic bag; mailbox; cash machine; vending machine; slot; binoculars; loupe; "
    "magnetic compass; barometer; lighter; matchstick; gasmask; pillow; quilt; "
    "doormat; prayer rug; paper towel; dishrag; handkerchief; whistle; birdhouse; "
    "potter's wheel",
    # Scenes: what kind of place a photo shows (its own Places, Dates and Events are facts)
    "Scenes/Beach": "seashore; sandbar",
    "Scenes/Church": "church; bell cote; altar; monastery",
    "Scenes/Mosque": "mosque",
    "Scenes/Temple": "stupa",
    "Scenes/Castle": "castle; palace",
    "Scenes/Bridge": "pier",
    "Scenes/Lighthouse": "beacon",
    "Scenes/Monument": "triumphal arch; obelisk; megalith; totem pole; cliff dwelling; pedestal",
    "Scenes/Restaurant": "restaurant; menu",
    "Scenes/Library": "library",
    "Scenes/Theater": "cinema; home theater; stage; theater curtain",
    "Scenes/Shop": "grocery store",
    "Scenes/Street": "traffic light; street sign; parking meter; manhole cover; pay-phone",
    "Scenes/Farm": "barn; hay; worm fence",
    "Scenes/Harbor": "dock; boathouse; breakwater",
    "Scenes/Park": "fountain; park bench; carousel; swing",
    "Scenes/Greenhouse": "greenhouse",
    "Scenes/Camping": "mountain tent; sleeping bag; yurt",
    "Scenes": "dam; planetarium; prison; water tower; lumbermill; "
    "radio telescope; dome; thatch; tile roof; vault; stone wall; picket fence; "
    "chainlink fence; bannister; patio; sliding door; turnstile",
    # Nature
    "Nature/Mountain": "alp",
    "Nature/Mountain/Volcano": "volcano",
    "Nature/Cliff": "cliff; promontory",
    "Nature/Valley": "valley",
    "Nature/Lake": "lakeside",
    "Nature/Coral Reef": "coral reef",
    "Nature/Geyser": "geyser",
    "Nature/Flower": "rapeseed",
    "Nature/Mushroom": "mushroom",
    # a "pot" in ImageNet is a flowerpot
    "Nature/Plant": "acorn; hip; buckeye; pot",
}

# Classes with no tag a person would search by: textures and small parts.
NO_TAG = (
    "velvet; wool; coil; chain; knot; hook; spindle; reel; switch; nipple; muzzle; bubble; "
    "window screen; window shade; shoji; fire screen; radiator; oil filter; buckle; safety pin; "
    "mousetrap; mosquito net; pick; thimble; rain barrel; bottlecap; maypole; pole; "
    # what an ImageNet classifier says of pictures it cannot read (a colour wheel is a
    # "spotlight", a flower "honeycomb", a chart an "envelope", a spacesuit a "bobsled", a
    # portrait by candlelight a "candle"): wrong far more often than right in a photo library
    "honeycomb; bobsled; spotlight; candle; Petri dish; maze; crossword puzzle; envelope; brass; "
    "drilling platform; solar dish; jigsaw puzzle"
)

# Thresholds. A tag that sums many classes also collects the probability an unsure model spreads
# over them (spread evenly over all 1000 classes, "Animals" would already get 0.40), so by default
# the threshold grows with the number of classes: 0.3 for one class, 0.37 for "Animals/Dog" (121),
# 0.54 for "Animals" (401). On real photos a clear subject scored 0.9-1.0 on its tag, and an unsure
# model (an astronaut: "bobsled" 0.23) stayed under every threshold. A wrong tag costs the user
# more than a missing one: the base of 0.4 (0.3 before) left the accuracy benchmark's recall as it
# was and halved its pictures with a plainly wrong tag. Set by hand instead:
THRESHOLD_BASE = 0.4
THRESHOLD_PER_CLASS = 0.6 / 1000
THRESHOLDS: dict[str, float] = {
    # Catch-alls: only worth showing when the photo is surely one of their many things.
    "Objects": 0.8,
    "Scenes": 0.6,
    "Vehicles": 0.5,
    # "balloon" is what the classifier calls anything round and bright (a colour wheel, a retina
    # photographed by an eye doctor); a hot-air balloon in view scores over 0.9
    "Vehicles/Aircraft/Balloon": 0.7,
}
DEFAULT_THRESHOLD = 0.5  # tags the vocabulary does not know, e.g. a user's own

# The object detector's 80 COCO classes (models/coco_labels.txt): the tag each gives a photo it is
# found in, or None, and the score a detection needs to count as found ("name": "tag@score", or
# "@score" for no tag). Its false detections on the sample photos and scikit-image's reach 0.46
# (a blurred clock read as a toilet), 0.56 on coins (clocks, bowls), while most real objects
# score 0.5-0.9 (models/README.md), so a class counts from 0.5 and those that fire on cluttered
# things from 0.6. Animals and ties count from 0.45: a cat and ties in the sample photos score
# 0.46-0.5 in their small, dark and bright copies, and no false animal or tie reached 0.45 there.
# A lone bright round thing on black (the moon, a cell, an eye's retina, coins) reads as a kite,
# a frisbee, a bed or a clock at up to 0.62: those count from 0.7. A person's body counts from
# 0.6: the face detector's People tags need no threshold, so this one must be sure. Untagged:
# what is in most photos without being what they are of (tableware, chairs, bottles, dining
# tables, which also fire on coffee close-ups), small street furniture, and what is as often
# something else (mouse, remote, vase).
OBJECT_THRESHOLD = 0.5
COCO_TABLE: dict[str, str] = {
    "person": "People@0.6",
    "bicycle": "Vehicles/Bicycle",
    "car": "Vehicles/Car",
    "motorcycle": "Vehicles/Motorcycle",
    "airplane": "Vehicles/Aircraft",
    "bus": "Vehicles/Bus",
    "train": "Vehicles/Train",
    "truck": "Vehicles/Truck",
    "boat": "Vehicles/Boat",
    "traffic light": "@0.6",
    "fire hydrant": "@0.6",
    "stop sign": "@0.6",
    "parking meter": "@0.6",
    "bench": "@0.6",
    "bird": "Animals/Bird@0.45",
    "cat": "Animals/Cat@0.45",
    "dog": "Animals/Dog@0.45",
    "horse": "Animals/Horse@0.45",
    "sheep": "Animals/Sheep@0.45",
    "cow": "Animals/Cow@0.45",
    "elephant": "Animals/Elephant@0.45",
    "bear": "Animals/Bear@0.45",
    "zebra": "Animals/Zebra@0.45",
    "giraffe": "Animals/Giraffe@0.45",
    "backpack": "Objects/Bag@0.6",
    "umbrella": "Objects/Umbrella",
    "handbag": "Objects/Bag@0.6",
    "tie": "Clothing/Tie@0.45",
    "suitcase": "Objects/Bag@0.6",
    "frisbee": "Sports/Frisbee@0.7",
    "skis": "Sports/Skiing",
    "snowboard": "Sports/Snowboarding",
    "sports ball": "@0.6",
    "kite": "Sports/Kite@0.7",
    "baseball bat": "Sports/Baseball",
    "baseball glove": "Sports/Baseball",
    "skateboard": "Sports/Skateboarding",
    "surfboard": "Sports/Surfing",
    "tennis racket": "Sports/Tennis",
    "bottle": "@0.6",
    "wine glass": "Food/Drink@0.6",
    "cup": "Food/Drink@0.6",
    "fork": "@0.6",
    "knife": "@0.6",
    "spoon": "@0.6",
    "bowl": "@0.6",
    "banana": "Food/Fruit/Banana",
    "apple": "Food/Fruit/Apple",
    "sandwich": "Food/Sandwich",
    "orange": "Food/Fruit/Orange",
    "broccoli": "Food/Vegetable",
    "carrot": "Food/Vegetable",
    "hot dog": "Food/Hot Dog",
    "pizza": "Food/Pizza",
    "donut": "Food/Dessert",
    "cake": "Food/Dessert",
    "chair": "@0.6",
    "couch": "Objects/Furniture/Sofa@0.6",
    "potted plant": "Nature/Plant@0.6",
    "bed": "Objects/Furniture/Bed@0.7",
    "dining table": "@0.6",
    "toilet": "@0.6",
    "tv": "Objects/Electronics/Television@0.6",
    "laptop": "Objects/Electronics/Computer",
    "mouse": "@0.6",
    "remote": "@0.6",
    "keyboard": "Objects/Electronics/Computer@0.6",
    "cell phone": "Objects/Electronics/Phone@0.6",
    "microwave": "Objects/Appliance@0.6",
    "oven": "Objects/Appliance@0.6",
    "toaster": "Objects/Appliance@0.6",
    "sink": "@0.6",
    "refrigerator": "Objects/Appliance@0.6",
    "book": "Objects/Book@0.6",
    "clock": "Objects/Clock@0.7",
    "vase": "@0.6",
    "scissors": "@0.6",
    "teddy bear": "Objects/Toy",
    "hair drier": "@0.6",
    "toothbrush": "@0.6",
}


# --- WordNet -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synset:
    words: tuple[str, ...]
    hypernyms: tuple[str, ...]  # offsets; instance hypernyms included


def read_wordnet_nouns(wordnet_dir: Path) -> dict[str, Synset]:
    """offset -> Synset, from WordNet's data.noun (format: wndb(5WN))."""
    synsets: dict[str, Synset] = {}
    with open(wordnet_dir / "data.noun", encoding="latin-1") as fh:
        for line in fh:
            if line.startswith("  "):  # the licence header
                continue
            fields = line.split(" | ", 1)[0].split()
            offset, w_cnt = fields[0], int(fields[3], 16)
            words = tuple(fields[4 + 2 * k] for k in range(w_cnt))
            i = 4 + 2 * w_cnt
            p_cnt = int(fields[i])
            hypernyms = []
            for k in range(p_cnt):
                symbol, target, pos = fields[i + 1 + 4 * k : i + 4 + 4 * k]
                if symbol in ("@", "@i") and pos == "n":
                    hypernyms.append(target)
            synsets[offset] = Synset(words, tuple(hypernyms))
    return synsets


def ancestors(offset: str, synsets: dict[str, Synset]) -> set[str]:
    """The synset and all its hypernyms along every path, as offsets."""
    seen: set[str] = set()
    stack = [offset]
    while stack:
        o = stack.pop()
        if o not in seen:
            seen.add(o)
            stack.extend(synsets[o].hypernyms)
    return seen


def wnids_from_timm(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read("timm/data/_info/imagenet_synsets.txt").decode("ascii")
    return text.split()


def check_wnids(wnids: list[str], labels: list[str], synsets: dict[str, Synset]) -> None:
    """The wnid list must be ImageNet-1k's in class order, and line up with the label names."""
    if len(wnids) != 1000 or wnids != sorted(wnids) or len(set(wnids)) != 1000:
        raise SystemExit("expected 1000 distinct wnids in sorted order")
    if len(labels) != 1000:
        raise SystemExit(f"expected 1000 labels, found {len(labels)}")
    for wnid, label in zip(wnids, labels, strict=True):
        words = {w.replace("_", " ").lower() for w in synsets[wnid[1:]].words}
        if RENAMED.get(label, label).lower() not in words:
            raise SystemExit(f"label {label!r} is not a lemma of {wnid} {sorted(words)}")


# --- the mapping ---------------------------------------------------------------------------------


def parse_names(spec: str) -> list[tuple[str, float]]:
    out = []
    for item in spec.split(";"):
        name, _, weight = item.strip().partition("*")
        out.append((name.strip(), float(weight) if weight else 1.0))
    return out


def map_classes(
    wnids: list[str], labels: list[str], synsets: dict[str, Synset]
) -> list[tuple[str | None, float]]:
    """(tag or None, weight) per class; every class must be placed by some rule on purpose."""
    index = {label: i for i, label in enumerate(labels)}
    placed: dict[int, tuple[str | None, float]] = {}

    def place(name: str, tag: str | None, weight: float) -> None:
        if name not in index:
            raise SystemExit(f"{name!r} is not an ImageNet class name")
        if index[name] in placed:
            raise SystemExit(f"{name!r} is placed twice")
        placed[index[name]] = (tag, weight)

    for tag, spec in CLASS_TABLE.items():
        for name, weight in parse_names(spec):
            place(name, tag, weight)
    for name, _ in parse_names(NO_TAG):
        place(name, None, 0.0)

    used: Counter[str] = Counter()
    for wnid, _, _ in HYPERNYM_RULES:
        if wnid[1:] not in synsets:
            raise SystemExit(f"rule synset {wnid} is not in WordNet")
    for wnid, lemma, _ in HYPERNYM_RULES:
        if lemma not in synsets[wnid[1:]].words:
            raise SystemExit(f"rule synset {wnid} has no lemma {lemma!r}")
    unplaced = []
    for i, wnid in enumerate(wnids):
        if i in placed:
            continue
        up = ancestors(wnid[1:], synsets)
        for rule_wnid, _, tag in HYPERNYM_RULES:
            if rule_wnid[1:] in up:
                placed[i] = (tag, 1.0)
                used[rule_wnid] += 1
                break
        else:
            unplaced.append(labels[i])
    if unplaced:
        raise SystemExit(f"{len(unplaced)} classes placed by no rule: {'; '.join(unplaced)}")
    unused = [w for w, _, _ in HYPERNYM_RULES if used[w] == 0]
    if unused:
        raise SystemExit(f"hypernym rules that place no class: {unused}")
    return [placed[i] for i in range(len(wnids))]


def parents(tag: str) -> list[str]:
    parts = tag.split("/")
    return ["/".join(parts[:k]) for k in range(1, len(parts))]


def map_objects(coco_labels: list[str]) -> list[tuple[str | None, float]]:
    """(tag or None, score to count as found) per COCO class, in the detector's order."""
    if sorted(coco_labels) != sorted(COCO_TABLE) or len(set(coco_labels)) != len(coco_labels):
        missing = sorted(set(coco_labels) ^ set(COCO_TABLE))
        raise SystemExit(f"COCO_TABLE does not list the detector's classes: {missing}")
    out: list[tuple[str | None, float]] = []
    for name in coco_labels:
        tag, _, score = COCO_TABLE[name].partition("@")
        threshold = float(score) if score else OBJECT_THRESHOLD
        if not 0.0 < threshold < 1.0:
            raise SystemExit(f"{name!r} has threshold {threshold}")
        out.append((tag or None, threshold))
    return out


def build_tags(
    mapping: list[tuple[str | None, float]], objects: list[tuple[str | None, float]]
) -> dict[str, dict[str, float | int]]:
    """Every tag with its threshold and how many ImageNet classes (and COCO classes, for the tags
    an object gives) map to it or below it. A tag only objects give takes the lowest score its
    classes count from."""
    counts: Counter[str] = Counter()
    for tag, weight in mapping:
        if tag is not None and weight > 0:
            for t in [*parents(tag), tag]:
                counts[t] += 1
    unknown = set(THRESHOLDS) - set(counts)
    if unknown:
        raise SystemExit(f"THRESHOLDS names tags no class maps to: {sorted(unknown)}")
    object_counts: Counter[str] = Counter()
    object_thresholds: dict[str, float] = {}
    for tag, threshold in objects:
        if tag is not None:
            for t in [*parents(tag), tag]:
                object_counts[t] += 1
                object_thresholds[t] = min(threshold, object_thresholds.get(t, 1.0))
    tags: dict[str, dict[str, float | int]] = {}
    for tag in sorted(set(counts) | set(object_counts)):
        if counts[tag]:
            auto = round(THRESHOLD_BASE + THRESHOLD_PER_CLASS * counts[tag], 2)
            threshold = THRESHOLDS.get(tag, auto)
        else:
            threshold = object_thresholds[tag]
        tags[tag] = {"threshold": threshold, "classes": counts[tag]}
        if object_counts[tag]:
            tags[tag]["objects"] = object_counts[tag]
    return tags


def write_json(path: Path, tags: dict, rows: list[list], object_rows: list[list]) -> None:
    """JSON with one tag and one class per line, so a change reads well in a diff."""
    lines = ["{", f'  "version": {json.dumps(VERSION)},']
    lines.append(f'  "default_threshold": {DEFAULT_THRESHOLD},')
    lines.append('  "tags": {')
    items = [f"    {json.dumps(t)}: {json.dumps(v)}" for t, v in tags.items()]
    lines.append(",\n".join(items))
    lines.append("  },")
    lines.append('  "classes": [')
    lines.append(",\n".join(f"    {json.dumps(r, ensure_ascii=False)}" for r in rows))
    lines.append("  ],")
    lines.append('  "objects": [')
    lines.append(",\n".join(f"    {json.dumps(r, ensure_ascii=False)}" for r in object_rows))
    lines.append("  ]")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # still valid JSON


def copy_licences(wheel: Path) -> None:
    lic_dir = MODELS_DIR / "licenses"
    shutil.copyfile(WORDNET_COPYRIGHT, lic_dir / "WordNet-LICENSE")
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/licenses/LICENSE"))
        (lic_dir / "timm-LICENSE").write_bytes(zf.read(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("timm_wheel", type=Path, help="timm wheel holding imagenet_synsets.txt")
    parser.add_argument("--wordnet", type=Path, default=WORDNET_DIR, help="WordNet dict dir")
    args = parser.parse_args()

    synsets = read_wordnet_nouns(args.wordnet)
    wnids = wnids_from_timm(args.timm_wheel)
    labels = LABELS.read_text(encoding="utf-8").splitlines()
    check_wnids(wnids, labels, synsets)
    mapping = map_classes(wnids, labels, synsets)
    coco = COCO_LABELS.read_text(encoding="utf-8").splitlines()
    objects = map_objects(coco)
    tags = build_tags(mapping, objects)
    rows = [[t, w, wnid, label] for (t, w), wnid, label in zip(mapping, wnids, labels, strict=True)]
    object_rows = [[t, s, name] for (t, s), name in zip(objects, coco, strict=True)]
    write_json(OUT, tags, rows, object_rows)
    copy_licences(args.timm_wheel)

    top = Counter(t.split("/")[0] for t, _ in mapping if t)
    print(f"wrote {OUT}: {len(tags)} tags, {sum(t is None for t, _ in mapping)} classes untagged")
    print(f"  objects: {sum(t is not None for t, _ in objects)} of {len(coco)} COCO classes tagged")
    for branch, n in sorted(top.items()):
        print(f"  {branch:10s} {n:4d} classes, {sum(1 for t in tags if t.startswith(branch))} tags")


if __name__ == "__main__":
    main()
