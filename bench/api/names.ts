import { createSkewedPicker, pick, skewedShare } from '../lib/random.ts';

/** The 200 most common US surnames, most common first (after the 2010 census list). */
export const commonSurnames = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  'Powell', 'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Bell', 'Coleman', 'Butler', 'Henderson', 'Barnes',
  'Gonzales', 'Fisher', 'Vasquez', 'Simmons', 'Romero', 'Jordan', 'Patterson', 'Alexander', 'Hamilton', 'Graham',
  'Reynolds', 'Griffin', 'Wallace', 'Moreno', 'West', 'Cole', 'Hayes', 'Bryant', 'Herrera', 'Gibson',
  'Ellis', 'Tran', 'Medina', 'Aguilar', 'Stevens', 'Murray', 'Ford', 'Castro', 'Marshall', 'Owens',
  'Harrison', 'Fernandez', 'Mcdonald', 'Woods', 'Washington', 'Kennedy', 'Wells', 'Vargas', 'Henry', 'Chen',
  'Freeman', 'Webb', 'Tucker', 'Guzman', 'Burns', 'Crawford', 'Olson', 'Simpson', 'Porter', 'Hunter',
  'Gordon', 'Mendez', 'Silva', 'Shaw', 'Snyder', 'Mason', 'Dixon', 'Munoz', 'Hunt', 'Hicks',
  'Holmes', 'Palmer', 'Wagner', 'Black', 'Robertson', 'Boyd', 'Rose', 'Stone', 'Salazar', 'Fox',
  'Warren', 'Mills', 'Meyer', 'Rice', 'Schmidt', 'Garza', 'Daniels', 'Ferguson', 'Nichols', 'Stephens',
  'Soto', 'Weaver', 'Ryan', 'Gardner', 'Payne', 'Grant', 'Dunn', 'Kelley', 'Spencer', 'Hawkins',
] as const;

export const commonFirstNames = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Dorothy', 'George', 'Melissa', 'Timothy', 'Deborah',
  'Ronald', 'Stephanie', 'Edward', 'Rebecca', 'Jason', 'Sharon', 'Jeffrey', 'Laura', 'Ryan', 'Cynthia',
  'Jacob', 'Kathleen', 'Gary', 'Amy', 'Nicholas', 'Angela', 'Eric', 'Shirley', 'Jonathan', 'Anna',
  'Stephen', 'Brenda', 'Larry', 'Pamela', 'Justin', 'Emma', 'Scott', 'Nicole', 'Brandon', 'Helen',
  'Priya', 'Wei', 'Hiroshi', 'Fatima', 'Carlos', 'Sofia', 'Ahmed', 'Olga', 'Lars', 'Ingrid',
  'Raj', 'Mei', 'Diego', 'Lucia', 'Kwame', 'Amara', 'Pierre', 'Chloe', 'Jan', 'Anke',
] as const;

/** Beyond the common names the real distribution has a long tail of rarer names; these syllables make it. */
const tailOnsets = [
  'Ab', 'Al', 'Ash', 'Bar', 'Bel', 'Bran', 'Brig', 'Cal', 'Car', 'Chad', 'Cor', 'Dal', 'Dar', 'Eck', 'Eld', 'Fair',
  'Far', 'Gal', 'Gold', 'Hal', 'Hart', 'Hol', 'Ing', 'Kel', 'Kin', 'Lang', 'Lind', 'Mal', 'Mar', 'Mer', 'Nor', 'Oak',
  'Pem', 'Ral', 'Red', 'Ros', 'Sal', 'Sel', 'Stan', 'Tal', 'Thorn', 'Val', 'Wal', 'Wes', 'Whit', 'Win', 'Yar', 'Zel',
] as const;
const tailEndings = [
  'bury', 'by', 'combe', 'dale', 'den', 'ford', 'gate', 'ham', 'hurst', 'ley', 'ling', 'lock', 'low', 'man', 'mere',
  'more', 'ner', 'rick', 'ridge', 'sby', 'son', 'stead', 'ston', 'ter', 'ton', 'vard', 'vell', 'well', 'wick', 'worth',
] as const;

/** Share of last names drawn from the common list; the rest come from the long tail. */
const commonShare = 0.45;
const surnameSkew = 0.5;
const pickCommonSurname = createSkewedPicker(commonSurnames, surnameSkew);
const pickFirstName = createSkewedPicker(commonFirstNames, 0.4);

export function randomLastName(random: () => number): string {
  if (random() < commonShare) return pickCommonSurname(random);
  const onset = pick(random, tailOnsets);
  const ending = pick(random, tailEndings);
  return onset + ending;
}

export function randomFirstName(random: () => number): string {
  return pickFirstName(random);
}

/** Expected share of last names starting with `prefix` (case-insensitive), from the weights. */
export function expectedPrefixShare(prefix: string): number {
  const lower = prefix.toLowerCase();
  const startsWith = (name: string) => name.toLowerCase().startsWith(lower);
  const common = skewedShare(commonSurnames, surnameSkew, startsWith);
  const tailNames = tailOnsets.flatMap((onset) => tailEndings.map((ending) => onset + ending));
  const tail = tailNames.filter(startsWith).length / tailNames.length;
  return commonShare * common + (1 - commonShare) * tail;
}
