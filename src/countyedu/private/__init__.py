"""The private-school register (民办学校, 第16条): licences, classification, sponsors, annual inspections,
fees, staff contracts and insurance, 普惠 recognition and subsidies, flagged by date."""
