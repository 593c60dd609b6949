"""High-school admission (中招, 第7条, AD): the allocation, its independent verifier, every candidate's answer."""
